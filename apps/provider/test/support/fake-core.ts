import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ProgressReport } from '@ferry/contracts';
import { MemoryNonceStore, generateSigningKeyPair, requestKeyId, signRequest, verifyRequest } from '@ferry/crypto';

export interface ReceivedReport {
  keyId: string;
  report: ProgressReport;
}

/**
 * Stands in for the core in gateway tests: signs calls to gateways with a core key, and receives
 * progress reports on POST /api/gateway/progress and /api/gateway/progress/batch, verifying their signatures against the gateway
 * keys it trusts, exactly as the core does. `down` makes it answer 503 (a core that is restarting).
 */
export class FakeCore {
  readonly keys = generateSigningKeyPair();
  readonly reports: ReceivedReport[] = [];
  /** progress posts refused: bad signature, unknown key, replay */
  readonly refused: string[] = [];
  down = false;
  /** the bodies of progress posts answered 503 while down */
  readonly bodiesWhileDown: string[] = [];
  /** false: answer the batch endpoint 404, like a core that predates it */
  batchEndpoint = true;
  /** transfers whose reports the batch endpoint refuses (per report, FORBIDDEN) */
  readonly foreign = new Set<string>();
  /** every progress request that got through the signature check: its path and how many reports it carried */
  readonly requests: Array<{ path: string; reports: number }> = [];
  url = '';
  private readonly trusted = new Map<string, string>();
  private readonly nonces = new MemoryNonceStore();
  private server: http.Server | null = null;

  trust(providerId: string, signPublicKey: string) {
    this.trusted.set(providerId, signPublicKey);
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    this.server?.closeAllConnections?.();
  }

  reportsFor(transferId: string, role?: string): ProgressReport[] {
    return this.reports.map((r) => r.report).filter((r) => r.transferId === transferId && (!role || r.role === role));
  }

  /** Polls until `pred` holds (no timing assertion: the jest timeout bounds it). */
  async waitFor<T>(what: string, pred: () => T | undefined | null | false, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = pred();
      if (v) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Like waitFor, for an asynchronous condition (e.g. a status call). */
  async until<T>(what: string, pred: () => Promise<T | undefined | null | false>, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await pred();
      if (v) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** A call to a gateway signed with this core's key (or tampered with as the options say). */
  async call(
    baseUrl: string,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    o: { now?: number; keyId?: string; signSecretKey?: string; signedBody?: string; unsigned?: boolean; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; body: any }> {
    const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(o.headers ?? {}) };
    if (!o.unsigned) {
      Object.assign(
        headers,
        signRequest({
          method,
          path,
          body: o.signedBody ?? text,
          keyId: o.keyId ?? 'core',
          signSecretKey: o.signSecretKey ?? this.keys.secretKey,
          now: o.now,
        }),
      );
    }
    const res = await fetch(baseUrl + path, { method, headers, body: method === 'GET' ? undefined : text });
    const raw = await res.text();
    let parsed: unknown = raw;
    try {
      parsed = raw ? JSON.parse(raw) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed };
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && req.url === '/health/live') return this.down ? reply(503, { status: 'down' }) : reply(200, { status: 'ok' });
    const url = req.url ?? '';
    const batch = url === '/api/gateway/progress/batch' && this.batchEndpoint;
    if (req.method !== 'POST' || (url !== '/api/gateway/progress' && !batch)) return reply(404, { error: { code: 'NOT_FOUND', message: 'no route' } });
    if (this.down) {
      this.bodiesWhileDown.push(raw.toString('utf8'));
      return reply(503, { error: { code: 'INTERNAL', message: 'core restarting' } });
    }
    const keyId = requestKeyId(req.headers) ?? '';
    const pk = this.trusted.get(keyId);
    try {
      if (!pk) throw new Error(`unknown gateway key id '${keyId}'`);
      await verifyRequest({ method: 'POST', path: url, body: raw, headers: req.headers, signPublicKey: pk, nonces: this.nonces });
    } catch (e) {
      this.refused.push((e as Error).message);
      return reply(401, { error: { code: 'BAD_SIGNATURE', message: (e as Error).message } });
    }
    const body = JSON.parse(raw.toString('utf8'));
    if (!batch) {
      this.requests.push({ path: url, reports: 1 });
      this.reports.push({ keyId, report: body as ProgressReport });
      return reply(200, { accepted: true });
    }
    const reports = (body as { reports: ProgressReport[] }).reports;
    this.requests.push({ path: url, reports: reports.length });
    const results = reports.map((report) => {
      if (this.foreign.has(report.transferId)) return { error: { code: 'FORBIDDEN', message: `not ${keyId}'s transfer` } };
      this.reports.push({ keyId, report });
      return { applied: true, state: 'RUNNING' };
    });
    reply(200, { results });
  }
}
