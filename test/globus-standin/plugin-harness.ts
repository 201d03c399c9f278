/**
 * Drives Globus plugin instances the way a gateway does (prepare, trigger, poll, finalize, restart),
 * with transfer state persisted in a JSON file per "gateway" so a new plugin instance can pick it
 * up. TEST CODE ONLY. (The conformance kit in libs/plugin-sdk/src/testing covers the generic
 * contract; this harness is for the Globus-specific scenarios.)
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import type { FileManifest, PeerDescriptor, ProgressFigures, TransferOptions } from '@ferry/contracts';
import type {
  DriveBinding,
  FinalizeOutcome,
  LocalIdentity,
  PluginContext,
  PluginLogger,
  TransferDirectory,
  TransferHandle,
} from '@ferry/plugin-sdk';
import plugin, { type GlobusMechanism, type GlobusOptions } from '@ferry/plugin-globus';

export interface LogLine {
  level: string;
  message: string;
  fields?: Record<string, unknown>;
}

type Ending = { kind: 'completed'; manifest: FileManifest } | { kind: 'failed'; code: string; message: string };

/** Persisted transfers of one gateway: a JSON file, like the gateway's own database. */
export class GatewayStore implements TransferDirectory {
  readonly handles = new Map<string, TestHandle>();

  constructor(readonly file: string) {}

  readAll(): Record<string, Record<string, unknown>> {
    try {
      return JSON.parse(fs.readFileSync(this.file, 'utf8')) as Record<string, Record<string, unknown>>;
    } catch {
      return {};
    }
  }

  saveState(key: string, state: Record<string, unknown>): void {
    const all = this.readAll();
    all[key] = state;
    fs.writeFileSync(this.file, JSON.stringify(all, null, 1));
  }

  async get(transferId: string): Promise<TransferHandle | undefined> {
    return [...this.handles.values()].find((h) => h.id === transferId);
  }

  async active(): Promise<TransferHandle[]> {
    return [...this.handles.values()].filter((h) => !h.ended);
  }
}

export class TestHandle implements TransferHandle {
  readonly reports: Array<Partial<ProgressFigures>> = [];
  ending: Ending | null = null;
  private readonly controller = new AbortController();
  private resolveEnd!: (e: Ending) => void;
  readonly done: Promise<Ending> = new Promise((r) => (this.resolveEnd = r));
  readonly localPath: string;

  constructor(
    private readonly store: GatewayStore,
    readonly id: string,
    readonly role: 'source' | 'destination',
    readonly drive: DriveBinding,
    readonly path: string,
    readonly options: TransferOptions = {},
    readonly identity: LocalIdentity = { name: 'alice', account: 'alice', attributes: {} },
    readonly peer: PeerDescriptor = { providerId: 'peer', name: 'Peer', signPublicKey: '', boxPublicKey: '', mechanisms: ['globus'] },
    readonly triggerDeadline: Date = new Date(Date.now() + 3600_000),
  ) {
    this.localPath = nodePath.join(drive.root, path);
    store.handles.set(this.key, this);
  }

  get key(): string {
    return `${this.id}:${this.role}`;
  }

  /** set by the "gateway" once it finalized this side */
  closed = false;

  get ended(): boolean {
    return this.ending !== null || this.closed;
  }

  get state(): Readonly<Record<string, unknown>> {
    return this.store.readAll()[this.key] ?? {};
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  async saveState(patch: Record<string, unknown>): Promise<void> {
    this.store.saveState(this.key, { ...this.state, ...patch });
  }

  report(p: Partial<ProgressFigures>): void {
    this.reports.push(p);
  }

  complete(manifest: FileManifest): void {
    this.end({ kind: 'completed', manifest });
  }

  fail(code: string, message: string): void {
    this.end({ kind: 'failed', code, message });
  }

  abort(): void {
    this.controller.abort(new Error('cancelled'));
  }

  messages(): string[] {
    return this.reports.map((r) => r.message).filter((m): m is string => typeof m === 'string');
  }

  private end(e: Ending): void {
    if (this.ending) throw new Error(`transfer ${this.id} ended twice (${this.ending.kind}, then ${e.kind})`);
    this.ending = e;
    this.resolveEnd(e);
  }
}

export interface GatewayUnderTest {
  plugin: GlobusMechanism;
  /** added to the real time the plugin's clock reports (to reach token renewal without sleeping) */
  clock: { offsetMs: number };
  store: GatewayStore;
  logs: LogLine[];
  dataDir: string;
  options: GlobusOptions;
  /** what the plugin reported through ctx.metrics (counters summed, gauges last value) */
  metrics: { counters: Map<string, number>; gauges: Map<string, number> };
}

/** A plugin instance as a gateway would create it: options through optionsSchema, a narrow context. */
export function createGateway(name: string, rawOptions: Record<string, unknown>, dir: string, store?: GatewayStore): GatewayUnderTest {
  const options = plugin.optionsSchema.parse(rawOptions);
  const dataDir = nodePath.join(dir, `${name}-plugin-data`);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const logs: LogLine[] = [];
  const logger: PluginLogger = {
    debug: (message, fields) => logs.push({ level: 'debug', message, fields }),
    info: (message, fields) => logs.push({ level: 'info', message, fields }),
    warn: (message, fields) => logs.push({ level: 'warn', message, fields }),
    error: (message, fields) => logs.push({ level: 'error', message, fields }),
  };
  const secrets = new Map<string, string>();
  const s = store ?? new GatewayStore(nodePath.join(dir, `${name}-state.json`));
  const clock = { offsetMs: 0 };
  const metrics = { counters: new Map<string, number>(), gauges: new Map<string, number>() };
  const ctx: PluginContext<GlobusOptions> = {
    options,
    logger,
    secrets: {
      put: async (k, v) => void secrets.set(k, v),
      get: async (k) => secrets.get(k),
      delete: async (k) => void secrets.delete(k),
      list: async (p) => [...secrets.keys()].filter((k) => k.startsWith(p)),
    },
    clock: { now: () => new Date(Date.now() + clock.offsetMs) },
    gateway: { providerId: name, name, dataDir },
    transfers: s,
    metrics: {
      increment: (name, by = 1) => void metrics.counters.set(name, (metrics.counters.get(name) ?? 0) + by),
      set: (name, value) => void metrics.gauges.set(name, value),
    },
  };
  return { plugin: plugin.create(ctx) as GlobusMechanism, clock, store: s, logs, dataDir, options, metrics };
}

/** Everything up to both triggers; returns the handles so a test can watch, cancel or restart. */
export async function startTransfer(
  a: GatewayUnderTest,
  b: GatewayUnderTest,
  src: { drive: DriveBinding; path: string },
  dst: { drive: DriveBinding; path: string },
  id: string,
  options: TransferOptions = {},
): Promise<{ s: TestHandle; d: TestHandle }> {
  const s = new TestHandle(a.store, id, 'source', src.drive, src.path, options);
  const d = new TestHandle(b.store, id, 'destination', dst.drive, dst.path, options);
  const sp = await a.plugin.prepareSource(s);
  await s.saveState(sp.state ?? {});
  const dp = await b.plugin.prepareDestination(d, sp.publicParams);
  await d.saveState(dp.state ?? {});
  await b.plugin.trigger(d, sp.forPeer);
  await a.plugin.trigger(s, dp.forPeer);
  return { s, d };
}

/** Waits for the source to end, then finalizes both sides as the core would. */
export async function finishTransfer(a: GatewayUnderTest, b: GatewayUnderTest, h: { s: TestHandle; d: TestHandle }) {
  const ending = await h.s.done;
  const outcome: FinalizeOutcome = ending.kind === 'completed' ? 'succeeded' : 'failed';
  const dres = await b.plugin.finalize(h.d, outcome, ending.kind === 'completed' ? ending.manifest : undefined);
  h.d.closed = true;
  const sres = await a.plugin.finalize(h.s, outcome);
  return { ending, dres, sres };
}

export function writeSecretFile(dir: string, name: string, secret: string, mode = 0o600): string {
  const f = nodePath.join(dir, name);
  fs.writeFileSync(f, secret + '\n', { mode });
  fs.chmodSync(f, mode);
  return f;
}

/** Every file under `root`: relative path -> sha256 of its bytes (jest compares big Buffers slowly). */
export function readTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string, rel: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(nodePath.join(dir, e.name), r);
      else out[r] = createHash('sha256').update(fs.readFileSync(nodePath.join(dir, e.name))).digest('hex');
    }
  };
  walk(root, '');
  return out;
}

export async function waitFor(cond: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
