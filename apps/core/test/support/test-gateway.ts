import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CORE_PROGRESS_BATCH_PATH,
  CORE_PROGRESS_PATH,
  FinalizeResponse,
  GATEWAY_API_PREFIX,
  OfferSigned,
  PrepareRequest,
  ProgressReport,
  SealedParams,
  TriggerPayload,
} from '@ferry/contracts';
import {
  generateBoxKeyPair,
  generateSigningKeyPair,
  MemoryNonceStore,
  open,
  randomToken,
  seal,
  signObject,
  signRequest,
  verifyRequest,
} from '@ferry/crypto';

/** One call the core made, in the order all test gateways saw them (shared log). */
export interface GatewayCall {
  provider: string;
  method: string;
  path: string;
  body: Record<string, unknown>;
}

export type PrepareBehaviour =
  | { accept: true; needsPeer?: boolean; operations?: Array<'pause' | 'resume' | 'cancel'> }
  | { accept: false; code: 'REJECTED_BY_POLICY' | 'NO_COMMON_MECHANISM' | 'BAD_PATH' | 'NOT_FOUND'; reason: string };

/**
 * A small real HTTP gateway for core tests (test code only): it speaks the signed protocol with
 * trivial behaviour. It verifies the core's signature on every call, seals and signs real offers,
 * opens real trigger envelopes and checks their token, records every call, and signs the
 * progress reports it posts to the core. The real gateway lives in apps/provider.
 */
export class TestGateway {
  readonly box = generateBoxKeyPair();
  readonly sign = generateSigningKeyPair();
  prepare: PrepareBehaviour = { accept: true };
  finalizeAnswer: FinalizeResponse = { ok: true };
  /** answer 503 to this many of the next finalize calls */
  failFinalize = 0;
  /** the answer to GET /ferry/v1/access-points (null: 404, as a gateway without the route) */
  accessPoints: unknown = null;
  /**
   * Answers to GET .../transfers/{id}/status by transfer id. Without one: a transfer prepared here
   * as source is 'running' with seq 0 (nothing newer than any report), anything else 404 NOT_FOUND.
   */
  readonly statusAnswers = new Map<string, { status: number; body: unknown }>();
  private readonly tokens = new Map<string, string>();
  private readonly nonces = new MemoryNonceStore();
  private server: http.Server | null = null;
  port = 0;

  constructor(
    readonly id: string,
    private readonly corePublicKey: () => string,
    readonly calls: GatewayCall[],
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.server) return;
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Goes down (connections refused) until start() again, on the same port. */
  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()).closeAllConnections());
  }

  callsTo(pathEnd: string, transferId?: string): GatewayCall[] {
    return this.calls.filter((c) => c.provider === this.id && c.path.endsWith(pathEnd) && (!transferId || c.path.includes(transferId)));
  }

  /** Posts several progress reports in one signed request (the batch endpoint); `raw` replaces the body. */
  async reportBatch(
    coreUrl: string,
    reports: ProgressReport[],
    opts: { forge?: boolean; headers?: Record<string, string>; raw?: string } = {},
  ): Promise<{ status: number; body: any; headers: Record<string, string> }> {
    const body = opts.raw ?? JSON.stringify({ reports });
    const signer = opts.forge ? generateSigningKeyPair().secretKey : this.sign.secretKey;
    const headers = opts.headers ?? signRequest({ method: 'POST', path: CORE_PROGRESS_BATCH_PATH, body, keyId: this.id, signSecretKey: signer });
    const res = await fetch(coreUrl + CORE_PROGRESS_BATCH_PATH, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    return { status: res.status, body: await res.json(), headers: { ...headers } };
  }

  /** Posts a progress report to the core, signed as this provider (or tampered with, for the tests). */
  async report(
    coreUrl: string,
    r: ProgressReport,
    opts: { forge?: boolean; skewMs?: number; headers?: Record<string, string>; keyId?: string } = {},
  ): Promise<{ status: number; body: any; headers: Record<string, string> }> {
    const body = JSON.stringify(r);
    const signer = opts.forge ? generateSigningKeyPair().secretKey : this.sign.secretKey;
    const headers =
      opts.headers ??
      signRequest({ method: 'POST', path: CORE_PROGRESS_PATH, body, keyId: opts.keyId ?? this.id, signSecretKey: signer, now: Date.now() + (opts.skewMs ?? 0) });
    const res = await fetch(coreUrl + CORE_PROGRESS_PATH, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    return { status: res.status, body: await res.json(), headers: { ...headers } };
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const send = (status: number, json: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json));
    };
    const url = req.url ?? '/';
    if (req.method === 'GET' && url === '/.well-known/ferry-provider') {
      return send(200, { id: this.id, name: this.id, boxPublicKey: this.box.publicKey, signPublicKey: this.sign.publicKey, mechanisms: ['test'], protocol: 1 });
    }
    try {
      await verifyRequest({ method: req.method!, path: url, body: raw, headers: req.headers, signPublicKey: this.corePublicKey(), nonces: this.nonces });
    } catch (e) {
      return send(401, { error: { code: 'BAD_SIGNATURE', message: (e as Error).message } });
    }
    const body = raw.length ? JSON.parse(raw.toString('utf8')) : {};
    this.calls.push({ provider: this.id, method: req.method!, path: url, body });
    const st = /^\/ferry\/v1\/transfers\/([^/?]+)\/status(?:\?.*)?$/.exec(url);
    if (req.method === 'GET' && st) return this.onStatus(decodeURIComponent(st[1]), send);
    const m = /^\/ferry\/v1\/transfers\/([^/]+)\/(trigger|control|finalize)$/.exec(url);
    if (url === `${GATEWAY_API_PREFIX}/transfers/prepare`) return send(200, this.onPrepare(body as PrepareRequest));
    if (req.method === 'GET' && url === `${GATEWAY_API_PREFIX}/access-points` && this.accessPoints !== null) return send(200, this.accessPoints);
    if (url === `${GATEWAY_API_PREFIX}/browse`) {
      return send(200, [{ name: 'results', type: 'dir', size: 0, modified: '2026-01-01T00:00:00.000Z' }]);
    }
    if (m && m[2] === 'trigger') return this.onTrigger(m[1], body, send);
    if (m && m[2] === 'finalize') {
      if (this.failFinalize > 0) {
        this.failFinalize--;
        return send(503, { error: { code: 'INTERNAL', message: 'finalize is down for the test' } });
      }
      return send(200, this.finalizeAnswer);
    }
    if (m && m[2] === 'control') return send(200, { ok: true });
    send(404, { error: { code: 'NOT_FOUND', message: `no route ${url}` } });
  }

  private onStatus(id: string, send: (s: number, j: unknown) => void) {
    const answer = this.statusAnswers.get(id);
    if (answer) return send(answer.status, answer.body);
    if (!this.tokens.has(`${id}/source`)) return send(404, { error: { code: 'NOT_FOUND', message: `no transfer ${id} at this gateway` } });
    const progress = { bytesDone: 0, bytesTotal: null, filesDone: 0, filesTotal: null, rate: null, eta: null, message: null };
    send(200, { transferId: id, role: 'source', phase: 'running', seq: 0, progress });
  }

  private onPrepare(req: PrepareRequest) {
    const b = this.prepare;
    if (!b.accept) return { accepted: false, code: b.code, reason: b.reason };
    const triggerToken = randomToken();
    this.tokens.set(`${req.transferId}/${req.role}`, triggerToken);
    const sealedParams: SealedParams = { triggerToken, forPeer: { from: this.id, role: req.role } };
    const sealed = seal(sealedParams, req.userPublicKey, { transferId: req.transferId, role: req.role, purpose: 'params' });
    const mechanism = req.mechanism ?? 'test';
    const publicParams = { gateway: this.id, role: req.role };
    const signed: OfferSigned = { transferId: req.transferId, role: req.role, providerId: this.id, mechanism, publicParams, sealed, userPublicKey: req.userPublicKey };
    return {
      accepted: true,
      mechanism,
      publicParams,
      sealed,
      signature: signObject(signed, this.sign.secretKey),
      needsPeer: req.role === 'source' ? (b.needsPeer ?? true) : false,
      operations: b.operations ?? ['pause', 'resume', 'cancel'],
    };
  }

  private onTrigger(id: string, body: any, send: (s: number, j: unknown) => void) {
    try {
      const payload = open<TriggerPayload>(body.envelope, this.box.secretKey, { transferId: id, role: body.role, purpose: 'trigger' });
      if (payload.triggerToken !== this.tokens.get(`${id}/${body.role}`)) throw new Error('wrong trigger token');
    } catch (e) {
      return send(400, { error: { code: 'TRIGGER_INVALID', message: (e as Error).message } });
    }
    send(200, { accepted: true, duplicate: false });
  }
}
