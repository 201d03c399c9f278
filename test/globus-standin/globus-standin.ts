import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleAuth } from './standin-auth.handler';
import { TransferApiError, sendJson, sendTransferError, sleep } from './standin-http.util';
import {
  DEFAULT_SETTINGS,
  type AccessRule,
  type CollectionRole,
  type FaultKind,
  type StandinClient,
  type StandinSettings,
  type StandinTask,
} from './standin-model';
import { StandinRegistry } from './standin-registry';
import { StandinTaskEngine } from './standin-task.engine';
import { handleTransfer } from './standin-transfer.handler';

export interface FailNextOptions {
  count: number;
  status: 429 | 503 | 500 | 502;
  /** seconds sent in Retry-After (429/503) */
  retryAfterSeconds?: number;
  service?: 'transfer' | 'auth';
  /** only requests whose "METHOD /path" matches */
  match?: RegExp;
}

/**
 * A faithful stand-in for Globus Auth and Transfer v0.10: two real HTTP servers on 127.0.0.1 (Auth
 * and Transfer each at the root path, as the JS SDK's GLOBUS_SDK_SERVICE_URL_* expect), local folders
 * standing for collections, tasks that really copy files over time, and switches a test can flip.
 * TEST CODE ONLY.
 */
export class GlobusStandin {
  readonly reg: StandinRegistry;
  private readonly engine: StandinTaskEngine;
  private authServer!: http.Server;
  private transferServer!: http.Server;
  authUrl = '';
  transferUrl = '';
  /** "METHOD /v0.10/task/:id" -> number of requests (including failed ones) */
  readonly counters = new Map<string, number>();
  private failures: Array<Required<Omit<FailNextOptions, 'match'>> & { match?: RegExp }> = [];
  /** responses the fault switch produced, by status */
  readonly injected = new Map<number, number>();
  /** every Transfer response by status ("401" -> n), injected ones included */
  readonly statuses = new Map<number, number>();

  private constructor(settings: Partial<StandinSettings>) {
    this.reg = new StandinRegistry({ ...DEFAULT_SETTINGS, ...settings });
    this.engine = new StandinTaskEngine(this.reg);
  }

  static async start(settings: Partial<StandinSettings> = {}): Promise<GlobusStandin> {
    const s = new GlobusStandin(settings);
    s.authServer = await listen((req, res) => s.serve('auth', req, res));
    s.transferServer = await listen((req, res) => s.serve('transfer', req, res));
    s.authUrl = `http://127.0.0.1:${(s.authServer.address() as AddressInfo).port}`;
    s.transferUrl = `http://127.0.0.1:${(s.transferServer.address() as AddressInfo).port}`;
    s.engine.start();
    return s;
  }

  async stop(): Promise<void> {
    this.engine.stop();
    await Promise.all([close(this.authServer), close(this.transferServer)]);
  }

  get settings(): StandinSettings {
    return this.reg.settings;
  }

  // ---- set-up -------------------------------------------------------------------------------

  registerClient(clientId?: string, secret?: string): StandinClient {
    return this.reg.registerClient(clientId, secret);
  }

  /** A refresh token as if the client had gone through an authorization-code flow. */
  issueRefreshToken(clientId: string): string {
    const c = this.reg.clients.get(clientId);
    if (!c) throw new Error(`unknown client ${clientId}`);
    return this.reg.issueToken(c, 'refresh').token;
  }

  /** A guest collection backed by `root`, owned by `owner` (an identity id). */
  addCollection(opts: { root: string; owner: string; id?: string; displayName?: string }): string {
    const id = opts.id ?? randomUUID();
    this.reg.collections.set(id, { id, root: opts.root, owner: opts.owner, displayName: opts.displayName ?? id, roles: new Map(), consentRequired: null });
    return id;
  }

  grantRole(collectionId: string, identityId: string, role: CollectionRole): void {
    this.reg.collection(collectionId).roles.set(identityId, role);
  }

  // ---- switches -----------------------------------------------------------------------------

  /** The next `count` matching requests answer `status` (with Retry-After for 429/503). */
  failNext(o: FailNextOptions): void {
    this.failures.push({ retryAfterSeconds: 0, service: 'transfer', ...o });
  }

  /** Every response waits this long. */
  setLatency(ms: number): void {
    this.reg.settings.latencyMs = ms;
  }

  setBytesPerTick(n: number): void {
    this.reg.settings.bytesPerTick = n;
  }

  setTokenLifetime(seconds: number): void {
    this.reg.settings.tokenLifetimeSeconds = seconds;
  }

  /** Every access token issued so far stops working now (401 AuthenticationFailed). */
  expireAllTokens(): number {
    return this.reg.expireAllAccessTokens();
  }

  /** The task shows the fault for `retryTicks` engine ticks, then FAILS with it as fatal_error. */
  faultTask(taskId: string, kind: FaultKind, retryTicks = 2): void {
    const t = this.task(taskId);
    t.fault = { kind, ticksLeft: retryTicks };
  }

  /** Park a task INACTIVE (credentials expired) or let it go on. */
  setInactive(taskId: string, inactive: boolean): void {
    this.task(taskId).inactive = inactive;
  }

  /** Transfer calls touching the collection answer 403 ConsentRequired with these scopes (null: lift). */
  requireConsent(collectionId: string, on = true): void {
    this.reg.collection(collectionId).consentRequired = on
      ? [`urn:globus:auth:scope:transfer.api.globus.org:all[*https://auth.globus.org/scopes/${collectionId}/data_access]`]
      : null;
  }

  // ---- inspection ---------------------------------------------------------------------------

  task(id: string): StandinTask {
    const t = this.reg.tasks.get(id);
    if (!t) throw new Error(`no task ${id}`);
    return t;
  }

  tasks(): StandinTask[] {
    return [...this.reg.tasks.values()];
  }

  rules(collectionId?: string): AccessRule[] {
    return [...this.reg.rules.values()].filter((r) => !collectionId || r.collectionId === collectionId);
  }

  count(key: string | RegExp): number {
    let n = 0;
    for (const [k, v] of this.counters) if (typeof key === 'string' ? k === key : key.test(k)) n += v;
    return n;
  }

  // ---- serving ------------------------------------------------------------------------------

  private async serve(service: 'auth' | 'transfer', req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    const key = `${req.method} ${pathname.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, ':id')}`;
    if (service === 'transfer') {
      this.counters.set(key, (this.counters.get(key) ?? 0) + 1);
      res.on('finish', () => this.statuses.set(res.statusCode, (this.statuses.get(res.statusCode) ?? 0) + 1));
    }
    try {
      if (this.reg.settings.latencyMs > 0) await sleep(this.reg.settings.latencyMs);
      const f = this.failures.find((x) => x.service === service && x.count > 0 && (!x.match || x.match.test(`${req.method} ${pathname}`)));
      if (f) {
        f.count--;
        this.failures = this.failures.filter((x) => x.count > 0);
        this.injected.set(f.status, (this.injected.get(f.status) ?? 0) + 1);
        req.resume();
        const headers: Record<string, string> = f.retryAfterSeconds ? { 'Retry-After': String(f.retryAfterSeconds) } : {};
        if (service === 'auth') return sendJson(res, f.status, { error: 'temporarily_unavailable' }, headers);
        const code = f.status === 429 ? 'RequestsThrottled' : 'ServiceUnavailable';
        return sendTransferError(res, new TransferApiError(f.status, code, f.status === 429 ? 'Too many requests; slow down' : 'The service is temporarily unavailable', {}, headers), pathname);
      }
      if (service === 'auth') await handleAuth(this.reg, req, res, this.counters);
      else await handleTransfer(this.reg, this.engine, req, res);
    } catch (e) {
      req.resume();
      if (res.headersSent) return void res.end();
      if (e instanceof TransferApiError) return sendTransferError(res, e, pathname);
      sendTransferError(res, new TransferApiError(500, 'ServerError', `stand-in bug: ${(e as Error).message}`), pathname);
    }
  }
}

function listen(handler: http.RequestListener): Promise<http.Server> {
  return new Promise((resolve, reject) => {
    const s = http.createServer(handler);
    s.keepAliveTimeout = 1000;
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => resolve(s));
  });
}

function close(s: http.Server): Promise<void> {
  return new Promise((resolve) => {
    s.closeAllConnections?.();
    s.close(() => resolve());
  });
}

export type { StandinClient, StandinTask, AccessRule } from './standin-model';
