// A whole mechanism in one file, as the example of docs/plugin-authoring.md: 'local-copy' moves
// data between two gateways that share a file system (the source copies straight into the
// destination folder). It exists to show the contract end to end and to prove that the
// conformance kit holds any plugin to it, not only SSH-based ones.
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import {
  definePlugin,
  MechanismError,
  type FinalizeOutcome,
  type FinalizeResult,
  type MechanismPlugin,
  type PluginContext,
  type Preparation,
  type TransferHandle,
} from '../index';
import type { FileManifest } from '@ferry/contracts';
import { runConformanceSuite } from './index';

const optionsSchema = z.object({ chunkSize: z.number().int().min(1024).default(1024 * 1024) }).strict();
type Options = z.infer<typeof optionsSchema>;

/** The "remote service" both gateways talk to: grant token hash -> destination folder. */
const grants = new Map<string, { root: string; active: boolean }>();
const hash = (token: string) => createHash('sha256').update(token).digest('hex');
const tokenSecret = (id: string) => `local-copy.${id}.token`;
const peerSecret = (id: string) => `local-copy.${id}.peer`;

class LocalCopyPlugin implements MechanismPlugin {
  readonly id = 'local-copy';
  readonly abilities = { pause: false, resume: false, cancel: true, checksum: false, browse: false };
  private readonly jobs = new Map<string, AbortController>();

  constructor(private readonly ctx: PluginContext<Options>) {}

  async prepareSource(t: TransferHandle): Promise<Preparation> {
    await fs.lstat(t.localPath).catch(() => {
      throw new MechanismError('NOT_FOUND', 'the source path does not exist');
    });
    return { publicParams: {}, forPeer: {}, state: { phase: 'prepared' } };
  }

  async prepareDestination(t: TransferHandle): Promise<Preparation> {
    // idempotent: a retried prepare hands out the same token
    let token = await this.ctx.secrets.get(tokenSecret(t.id));
    if (!token) {
      token = randomBytes(32).toString('base64url');
      await this.ctx.secrets.put(tokenSecret(t.id), token);
    }
    grants.set(hash(token), { root: t.localPath, active: false });
    return { publicParams: {}, forPeer: { token }, state: { tokenHash: hash(token) } };
  }

  async trigger(t: TransferHandle, peer: Record<string, unknown>): Promise<void> {
    if (t.role === 'destination') {
      const g = grants.get(t.state.tokenHash as string);
      if (!g) throw new MechanismError('INVALID_STATE', 'not prepared here, or already ended');
      g.active = true;
      return;
    }
    if (this.jobs.has(t.id) || t.state.phase !== 'prepared') return; // a repeated trigger
    await this.ctx.secrets.put(peerSecret(t.id), JSON.stringify(peer));
    await t.saveState({ phase: 'running' });
    this.launch(t, String(peer.token ?? ''));
  }

  async cancel(t: TransferHandle): Promise<void> {
    if (t.role === 'source') return this.stopJob(t.id);
    const g = grants.get(t.state.tokenHash as string);
    grants.delete(t.state.tokenHash as string);
    if (g) await removeParts(g.root);
  }

  async finalize(t: TransferHandle, outcome: FinalizeOutcome, manifest?: FileManifest): Promise<FinalizeResult> {
    if (t.role === 'source') {
      this.stopJob(t.id);
      await this.ctx.secrets.delete(peerSecret(t.id));
      return { ok: true };
    }
    grants.delete(t.state.tokenHash as string); // always revoke
    await this.ctx.secrets.delete(tokenSecret(t.id));
    if (outcome !== 'succeeded' || !manifest) return { ok: true };
    const mismatches: NonNullable<FinalizeResult['mismatches']> = [];
    for (const f of manifest.files) {
      const st = await fs.stat(path.join(t.localPath, f.path)).catch(() => null);
      if (st?.size !== f.size) mismatches.push({ path: f.path, expected: `size:${f.size}`, actual: st ? `size:${st.size}` : null });
    }
    return { ok: mismatches.length === 0, mismatches };
  }

  async recover(t: TransferHandle): Promise<void> {
    if (t.role === 'destination' || t.state.phase !== 'running' || this.jobs.has(t.id)) return;
    const peer = await this.ctx.secrets.get(peerSecret(t.id));
    if (!peer) return t.fail('INVALID_STATE', 'the peer parameters are gone');
    this.launch(t, String(JSON.parse(peer).token ?? '')); // simplest recovery: copy again
  }

  async stop(): Promise<void> {
    for (const id of [...this.jobs.keys()]) this.stopJob(id);
  }

  private stopJob(id: string): void {
    this.jobs.get(id)?.abort();
    this.jobs.delete(id);
  }

  /** background copy: report progress, end with exactly one complete() or fail() */
  private launch(t: TransferHandle, token: string): void {
    const abort = new AbortController();
    this.jobs.set(t.id, abort);
    t.signal.addEventListener('abort', () => abort.abort(), { once: true });
    const grant = () => grants.get(hash(token));
    copyInto(t, grant, abort.signal, this.ctx.options.chunkSize).then(
      async (manifest) => {
        if (abort.signal.aborted) return;
        this.jobs.delete(t.id);
        await t.saveState({ phase: 'completed' });
        t.complete(manifest);
      },
      async (e: unknown) => {
        if (abort.signal.aborted) return;
        this.jobs.delete(t.id);
        await t.saveState({ phase: 'failed' });
        const err = e instanceof MechanismError ? e : new MechanismError('REMOTE_ERROR', String(e));
        t.fail(err.code, err.message);
      },
    );
  }
}

async function copyInto(
  t: TransferHandle,
  grant: () => { root: string; active: boolean } | undefined,
  signal: AbortSignal,
  chunkSize: number,
): Promise<FileManifest> {
  const check = () => {
    if (!grant()?.active) throw new MechanismError('AUTH_FAILED', 'the destination refused the grant token', 'fatal');
  };
  check();
  const files = await listFiles(t.localPath, t.path === '' ? '' : path.basename(t.localPath));
  const bytesTotal = files.reduce((n, f) => n + f.size, 0);
  let bytesDone = 0;
  let filesDone = 0;
  t.report({ bytesDone, bytesTotal, filesDone, filesTotal: files.filter((f) => !f.dir).length });
  for (const f of files) {
    if (signal.aborted) throw new MechanismError('CANCELLED', 'stopped');
    check();
    const target = path.join(grant()!.root, f.rel);
    if (f.dir) {
      await fs.mkdir(target, { recursive: true });
      continue;
    }
    const src = await fs.open(f.abs, 'r');
    const part = await fs.open(`${target}.part`, 'w');
    try {
      const buf = Buffer.alloc(chunkSize);
      for (let pos = 0; pos < f.size; ) {
        if (signal.aborted) throw new MechanismError('CANCELLED', 'stopped');
        check();
        const { bytesRead } = await src.read(buf, 0, buf.length, pos);
        await part.write(buf, 0, bytesRead, pos);
        pos += bytesRead;
        bytesDone += bytesRead;
        t.report({ bytesDone });
      }
    } finally {
      await src.close();
      await part.close();
    }
    await fs.rename(`${target}.part`, target);
    t.report({ filesDone: ++filesDone });
  }
  return { verify: 'size', files: files.filter((f) => !f.dir).map((f) => ({ path: f.rel, size: f.size })) };
}

/** cp -r semantics: the item keeps its name ('' for a drive root, whose contents are copied) */
async function listFiles(abs: string, rel: string): Promise<Array<{ abs: string; rel: string; size: number; dir: boolean }>> {
  const st = await fs.lstat(abs);
  if (!st.isDirectory()) return [{ abs, rel, size: st.size, dir: false }];
  const out = rel ? [{ abs, rel, size: 0, dir: true }] : [];
  for (const name of (await fs.readdir(abs)).sort()) out.push(...(await listFiles(path.join(abs, name), rel ? `${rel}/${name}` : name)));
  return out;
}

async function removeParts(dir: string): Promise<void> {
  for (const e of await fs.readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) await removeParts(p);
    else if (e.name.endsWith('.part')) await fs.rm(p, { force: true });
  }
}

const localCopy = definePlugin<Options>({
  id: 'local-copy',
  version: '0.0.1',
  description: 'example: copies between gateways that share a file system',
  optionsSchema,
  create: (ctx) => new LocalCopyPlugin(ctx),
});

runConformanceSuite({
  definition: localCopy,
  options: () => ({ chunkSize: 256 * 1024 }),
  largeFileBytes: 32 * 1024 * 1024,
  // "logging in" = the token opens an active grant
  probeGrant: async (forPeer) => grants.get(hash(String(forPeer.token)))?.active === true,
});
