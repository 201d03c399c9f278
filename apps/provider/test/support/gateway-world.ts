import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { PeerDescriptor, PrepareRequest, PrepareResponse, ProviderDescriptor } from '@ferry/contracts';
import { createGatewayApp, type GatewayApp, type RawGatewayConfig } from '../../src';
import { createDatabase } from '../../../../test/setup/postgres-server';
import { FakeCore } from './fake-core';
import { Researcher } from './researcher';

export type DbKind = 'pglite' | 'postgres';

export const FIXTURES = path.join(__dirname, '..', 'fixtures');
export const LOCALCOPY = path.join(FIXTURES, 'plugin-localcopy');
export const LOCALCOPY_LITE = path.join(FIXTURES, 'plugin-localcopy-lite');

export interface Site {
  id: string;
  config: RawGatewayConfig;
  gateway: GatewayApp | null;
  descriptor: ProviderDescriptor;
  driveDir: string;
  url: string;
}

export interface WorldOptions {
  name: string;
  db?: DbKind;
  /** plugins of each site, in preference order */
  pluginsA?: RawGatewayConfig['plugins'];
  pluginsB?: RawGatewayConfig['plugins'];
  customizeA?: (c: RawGatewayConfig) => void;
  customizeB?: (c: RawGatewayConfig) => void;
}

/**
 * Two gateways in this process (A: provider-a with drive 'data', B: provider-b with drive 'inbox'),
 * each with its own state folder and database, a FakeCore that signs calls and receives progress,
 * and a researcher. A's policy sends to B under 'DUA-1'; B accepts from A under 'DUA-1'.
 */
export class GatewayWorld {
  readonly core = new FakeCore();
  readonly researcher = new Researcher();
  readonly root: string;
  a!: Site;
  b!: Site;

  private constructor(private readonly o: WorldOptions) {
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), `ferry-gw-${o.name}-`));
  }

  static async create(o: WorldOptions): Promise<GatewayWorld> {
    const w = new GatewayWorld(o);
    await w.core.start();
    w.a = await w.site('provider-a', 'data', o.pluginsA ?? [{ package: LOCALCOPY, options: {} }], {
      outgoing: [{ peer: 'provider-b', agreement: 'DUA-1' }],
      incoming: [],
      deny: ['provider-evil'],
    }, o.customizeA);
    w.b = await w.site('provider-b', 'inbox', o.pluginsB ?? [{ package: LOCALCOPY, options: {} }], {
      outgoing: [],
      incoming: [{ peer: 'provider-a', agreement: 'DUA-1' }],
      deny: [],
    }, o.customizeB);
    await w.start(w.a);
    await w.start(w.b);
    return w;
  }

  private async site(id: string, drive: string, plugins: RawGatewayConfig['plugins'], policy: RawGatewayConfig['policy'], customize?: (c: RawGatewayConfig) => void): Promise<Site> {
    const dir = path.join(this.root, id);
    const driveDir = path.join(dir, drive);
    fs.mkdirSync(driveDir, { recursive: true });
    const databaseUrl =
      this.o.db === 'postgres'
        ? await createDatabase(process.env.FERRY_TEST_PG_URL!, `gw_${this.o.name}_${id}_${Date.now().toString(36)}`.replace(/[^a-z0-9_]/gi, '_').toLowerCase())
        : null;
    const config: RawGatewayConfig = {
      id,
      name: id.toUpperCase(),
      listen: { host: '127.0.0.1', port: 0 },
      core: { url: this.core.url, signPublicKey: this.core.keys.publicKey },
      stateDir: path.join(dir, 'state'),
      databaseUrl,
      drives: [{ id: drive, path: driveDir, attributes: {} }],
      identities: [{ name: 'alice', account: 'alice', attributes: {} }],
      policy,
      plugins,
      progressIntervalMs: 100,
      signatureWindowSeconds: 60,
      sweepIntervalMs: 200,
    };
    customize?.(config);
    return { id, config, gateway: null, descriptor: null as unknown as ProviderDescriptor, driveDir, url: '' };
  }

  /** Starts (or restarts, on the same state folder and database) a site's gateway. */
  async start(site: Site): Promise<void> {
    site.gateway = await createGatewayApp(site.config, { logger: ['error'] });
    site.url = site.gateway.url;
    const res = await fetch(`${site.url}/.well-known/ferry-provider`);
    site.descriptor = (await res.json()) as ProviderDescriptor;
    this.core.trust(site.id, site.descriptor.signPublicKey);
  }

  async stopSite(site: Site): Promise<void> {
    await site.gateway?.close();
    site.gateway = null;
  }

  async stop(): Promise<void> {
    for (const s of [this.a, this.b]) if (s?.gateway) await this.stopSite(s);
    await this.core.stop();
    fs.rmSync(this.root, { recursive: true, force: true });
  }

  peerOf(site: Site): PeerDescriptor {
    const d = site.descriptor;
    return { providerId: d.id, name: d.name, signPublicKey: d.signPublicKey, boxPublicKey: d.boxPublicKey, mechanisms: d.mechanisms };
  }

  prepareRequest(transferId: string, role: 'source' | 'destination', over: Partial<PrepareRequest> = {}): PrepareRequest {
    const self = role === 'source' ? this.a : this.b;
    const other = role === 'source' ? this.b : this.a;
    return {
      transferId,
      role,
      identity: 'alice',
      drive: self.config.drives![0].id,
      path: '',
      peer: this.peerOf(other),
      userPublicKey: this.researcher.box.publicKey,
      options: {},
      triggerDeadline: new Date(Date.now() + 10 * 60_000).toISOString(),
      ...over,
    };
  }

  async prepare(site: Site, req: PrepareRequest): Promise<{ status: number; body: PrepareResponse & Record<string, any> }> {
    return this.core.call(site.url, 'POST', '/ferry/v1/transfers/prepare', req);
  }

  /** prepare at A (source) then B (destination), as the core does; both must accept. */
  async negotiate(transferId: string, src: Partial<PrepareRequest> = {}, dst: Partial<PrepareRequest> = {}) {
    const a = await this.prepare(this.a, this.prepareRequest(transferId, 'source', src));
    if (a.status !== 200 || !a.body.accepted) throw new Error(`source refused: ${JSON.stringify(a.body)}`);
    const b = await this.prepare(
      this.b,
      this.prepareRequest(transferId, 'destination', { mechanism: a.body.mechanism, peerPublicParams: a.body.publicParams, ...dst }),
    );
    if (b.status !== 200 || !b.body.accepted) throw new Error(`destination refused: ${JSON.stringify(b.body)}`);
    const sealedA = this.researcher.openOffer(transferId, 'source', a.body);
    const sealedB = this.researcher.openOffer(transferId, 'destination', b.body);
    const envelopes = {
      source: this.researcher.trigger(transferId, 'source', this.a.descriptor.boxPublicKey, { triggerToken: sealedA.triggerToken, peer: sealedB.forPeer }),
      destination: this.researcher.trigger(transferId, 'destination', this.b.descriptor.boxPublicKey, { triggerToken: sealedB.triggerToken, peer: sealedA.forPeer }),
    };
    return { source: a.body, destination: b.body, sealedA, sealedB, envelopes };
  }

  trigger(site: Site, transferId: string, role: 'source' | 'destination', envelope: unknown) {
    return this.core.call(site.url, 'POST', `/ferry/v1/transfers/${transferId}/trigger`, { role, envelope });
  }

  /** Negotiates and triggers destination then source. */
  async startTransfer(transferId: string, src: Partial<PrepareRequest> = {}, dst: Partial<PrepareRequest> = {}) {
    const n = await this.negotiate(transferId, src, dst);
    const tb = await this.trigger(this.b, transferId, 'destination', n.envelopes.destination);
    if (tb.status !== 200) throw new Error(`destination trigger: ${tb.status} ${JSON.stringify(tb.body)}`);
    const ta = await this.trigger(this.a, transferId, 'source', n.envelopes.source);
    if (ta.status !== 200) throw new Error(`source trigger: ${ta.status} ${JSON.stringify(ta.body)}`);
    return n;
  }

  control(site: Site, transferId: string, action: string, role?: string) {
    return this.core.call(site.url, 'POST', `/ferry/v1/transfers/${transferId}/control`, { action, ...(role ? { role } : {}) });
  }

  finalize(site: Site, transferId: string, body: Record<string, unknown>) {
    return this.core.call(site.url, 'POST', `/ferry/v1/transfers/${transferId}/finalize`, body);
  }

  status(site: Site, transferId: string) {
    return this.core.call(site.url, 'GET', `/ferry/v1/transfers/${transferId}/status`);
  }

  /** Waits for the source's 'completed' report and returns it. */
  completed(transferId: string) {
    return this.core.waitFor(`completion of ${transferId}`, () =>
      this.core.reportsFor(transferId, 'source').find((r) => r.phase === 'completed' || r.phase === 'failed'),
    );
  }
}

/** Writes files under a folder: { 'a.txt': 'text' | size in bytes }. */
export function writeTree(dir: string, files: Record<string, string | number>) {
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, typeof content === 'number' ? Buffer.alloc(content, rel.length % 251) : content);
  }
}
