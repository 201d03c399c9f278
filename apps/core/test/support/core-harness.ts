import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import type { TransferView, TriggerPayload, SealedParams } from '@ferry/contracts';
import { generateBoxKeyPair, generateSigningKeyPair, open, seal } from '@ferry/crypto';
import { CoreAppOptions, createCoreApp, loadCoreConfig } from '../../src';
import { createDatabase } from '../../../../test/setup/postgres-server';
import { GatewayCall, TestGateway } from './test-gateway';

export type DbKind = 'pglite' | 'postgres';

export const TOKENS = {
  alice: 'alice-token-0123456789abcdef',
  bob: 'bob-token-0123456789abcdef',
  carol: 'carol-token-0123456789abcdef',
};

export interface ApiAnswer {
  status: number;
  body: any;
}

/** A core started in-process on its own database, two test gateways, and helpers to drive them. */
export class CoreHarness {
  readonly calls: GatewayCall[] = [];
  readonly coreKeys = generateSigningKeyPair();
  readonly gwA = new TestGateway('provider-a', () => this.coreKeys.publicKey, this.calls);
  readonly gwB = new TestGateway('provider-b', () => this.coreKeys.publicKey, this.calls);
  /** the researcher's key pair (the CLI or the browser would hold it) */
  readonly researcher = generateBoxKeyPair();
  app!: NestExpressApplication;
  url = '';
  dir = '';
  private env: Record<string, string> = {};
  private readonly replicas: NestExpressApplication[] = [];

  constructor(
    readonly db: DbKind,
    /** more environment for the core (e.g. a small FERRY_RATE_LIMIT_PER_MINUTE), over the defaults below */
    private readonly extraEnv: Record<string, string> = {},
    /** createCoreApp options (e.g. a log writer that captures JSON lines) */
    private readonly appOptions: CoreAppOptions = {},
  ) {}

  async start(): Promise<void> {
    await this.gwA.start();
    await this.gwB.start();
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `ferry-core-${this.db}-`));
    const keyFile = path.join(this.dir, 'core-sign.key.json');
    fs.writeFileSync(keyFile, JSON.stringify(this.coreKeys), { mode: 0o600 });
    const seedFile = path.join(this.dir, 'seed.json');
    fs.writeFileSync(seedFile, JSON.stringify(this.seed()));
    const webDir = path.join(this.dir, 'web');
    fs.mkdirSync(webDir);
    fs.writeFileSync(path.join(webDir, 'index.html'), '<!doctype html><title>ferry</title>');
    const env: Record<string, string> = {
      FERRY_DATA_DIR: path.join(this.dir, 'data'),
      FERRY_CORE_KEY_FILE: keyFile,
      FERRY_SEED_FILE: seedFile,
      FERRY_SWEEP_INTERVAL_MS: '100',
      FERRY_WEB_DIR: webDir,
      FERRY_MAX_BODY_BYTES: '16384',
      // gateways' calls have their own, larger limit (manifests of whole trees)
      FERRY_MAX_GATEWAY_BODY_BYTES: '49152',
      FERRY_LOG_LEVEL: 'error',
      FERRY_GATEWAY_TIMEOUT_MS: '5000',
      // the suites poll fast with one token; the rate limit has its own tests (operations suites)
      FERRY_RATE_LIMIT_PER_MINUTE: '0',
      ...this.extraEnv,
    };
    if (this.db === 'postgres') {
      const server = process.env.FERRY_TEST_PG_URL;
      if (!server) throw new Error('FERRY_TEST_PG_URL is not set (jest globalSetup starts PostgreSQL)');
      env.DATABASE_URL = await createDatabase(server, `core_${randomBytes(6).toString('hex')}`);
    }
    this.env = env;
    await this.boot();
  }

  private async boot(): Promise<void> {
    this.app = await createCoreApp(loadCoreConfig(this.env), this.appOptions);
    await this.app.listen(0, '127.0.0.1');
    this.url = await this.app.getUrl();
  }

  /** Stops the core and starts it again on the same data (database, keys, seed). */
  async restart(): Promise<void> {
    await this.app.close();
    await this.boot();
  }

  /** Another core process on the same database (PostgreSQL only): a second replica. */
  async startReplica(): Promise<string> {
    if (this.db !== 'postgres') throw new Error('replicas share a PostgreSQL server');
    const app = await createCoreApp(loadCoreConfig({ ...this.env, FERRY_DATA_DIR: path.join(this.dir, `replica-${this.replicas.length}`) }));
    await app.listen(0, '127.0.0.1');
    this.replicas.push(app);
    return app.getUrl();
  }

  async close(): Promise<void> {
    for (const r of this.replicas) await r.close();
    await this.app?.close();
    await this.gwA.stop();
    await this.gwB.stop();
    if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true });
  }

  seed() {
    return {
      users: [
        { name: 'alice', tokens: [TOKENS.alice] },
        { name: 'bob', tokens: [TOKENS.bob] },
        { name: 'carol', admin: true, tokens: [TOKENS.carol] },
      ],
      projects: [{ name: 'climate', members: ['bob'] }],
      providers: [
        // A is pinned; B's keys are fetched from its /.well-known/ferry-provider
        { id: 'provider-a', name: 'Provider A', url: this.gwA.url, signPublicKey: this.gwA.sign.publicKey, boxPublicKey: this.gwA.box.publicKey },
        { id: 'provider-b', name: 'Provider B', url: this.gwB.url },
      ],
      drives: [
        {
          id: 'a-data',
          name: 'A data',
          provider: 'provider-a',
          gatewayDrive: 'data',
          acl: [
            { user: 'alice', permissions: ['READ', 'WRITE'] },
            { project: 'climate', permissions: ['READ'] },
            { user: 'carol', permissions: ['READ'] },
          ],
        },
        {
          id: 'b-inbox',
          name: 'B inbox',
          provider: 'provider-b',
          gatewayDrive: 'inbox',
          acl: [
            { user: 'alice', permissions: ['WRITE'] },
            { user: 'carol', permissions: ['ADMIN'] },
          ],
        },
        { id: 'b-public', name: 'B public', provider: 'provider-b', gatewayDrive: 'public', acl: [{ user: 'bob', permissions: ['READ'] }] },
      ],
      identityMappings: [
        { user: 'alice', provider: 'provider-a', identity: 'alice' },
        { user: 'alice', provider: 'provider-b', identity: 'alice_b' },
        { user: 'bob', provider: 'provider-a', identity: 'bob' },
        { user: 'carol', provider: 'provider-a', identity: 'carol' },
      ],
    };
  }

  async api(token: string | null, method: string, p: string, body?: unknown, headers: Record<string, string> = {}, base = this.url): Promise<ApiAnswer> {
    const res = await fetch(base + p, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON (e.g. HTML) */
    }
    return { status: res.status, body: parsed };
  }

  /** A transfer request alice may make: a-data/results -> b-inbox/incoming. */
  transferRequest(over: Record<string, unknown> = {}) {
    return {
      source: { driveId: 'a-data', path: 'results/run-1' },
      destination: { driveId: 'b-inbox', path: 'incoming' },
      userPublicKey: this.researcher.publicKey,
      options: { verify: 'size', label: 'test' },
      ...over,
    };
  }

  async createTransfer(token = TOKENS.alice, over: Record<string, unknown> = {}): Promise<TransferView> {
    const r = await this.api(token, 'POST', '/api/transfers', this.transferRequest(over));
    if (r.status !== 201) throw new Error(`create transfer: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as TransferView;
  }

  /** What the researcher's client does: open both offers, seal one trigger per gateway. */
  triggersFor(view: TransferView) {
    const opened = view.offers.map((o) => ({
      offer: o,
      params: open<SealedParams>(o.sealed, this.researcher.secretKey, { transferId: view.id, role: o.role, purpose: 'params' }),
    }));
    return {
      triggers: opened.map(({ offer, params }) => {
        const other = opened.find((x) => x.offer.role !== offer.role);
        const payload: TriggerPayload = { triggerToken: params.triggerToken, peer: other?.params.forPeer ?? {} };
        return { role: offer.role as 'source' | 'destination', envelope: seal(payload, offer.gateway.boxPublicKey, { transferId: view.id, role: offer.role, purpose: 'trigger' }) };
      }),
    };
  }

  async startTransfer(token = TOKENS.alice): Promise<TransferView> {
    const view = await this.createTransfer(token);
    const r = await this.api(token, 'POST', `/api/transfers/${view.id}/trigger`, this.triggersFor(view));
    if (r.status !== 200) throw new Error(`trigger: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as TransferView;
  }

  /** Direct SQL for simulating what tests cannot wait for (a deadline passing, a crashed core). */
  sql(query: string, params: unknown[] = []): Promise<unknown> {
    return this.app.get(DataSource).query(query, params);
  }

  async task(id: string, token = TOKENS.alice) {
    return (await this.api(token, 'GET', `/api/tasks/${id}`)).body;
  }
}

/** Polls until `check` returns a value that is not undefined (no timing assertions: only a safety limit). */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, limitMs = 30_000): Promise<T> {
  const until = Date.now() + limitMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
