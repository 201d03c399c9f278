import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ProgressReport, SealedParams, TransferView } from '@ferry/contracts';
import { generateBoxKeyPair, generateSigningKeyPair, open } from '@ferry/crypto';
import { freePort } from '../../../test/setup/postgres-server';
import { CoreHarness, TOKENS, waitFor } from './support/core-harness';
import { metric, scrape, snapshot } from './support/ops-helpers';
import { ferry } from './suites/ops/admin-cli.suite';

/**
 * Logs, request ids, clock skew, body limits and the rate limit: one in-process core with
 * FERRY_LOG_FORMAT=json whose every log line is captured, plus one real core process (dist/).
 * Database-independent features, so PGlite only.
 */
const lines: string[] = [];
const RATE = 40;
const h = new CoreHarness(
  'pglite',
  { FERRY_LOG_FORMAT: 'json', FERRY_LOG_LEVEL: 'verbose', FERRY_RATE_LIMIT_PER_MINUTE: String(RATE), FERRY_METRICS_TOKEN: 'metrics-token-for-logs-test' },
  { logWriter: (l) => lines.push(l) },
);
beforeAll(() => h.start());
afterAll(() => h.close());

const parsed = () => lines.map((l) => JSON.parse(l) as Record<string, any>);
const report = (id: string, seq: number, phase: ProgressReport['phase'] = 'running'): ProgressReport => ({
  transferId: id,
  role: 'source',
  seq,
  phase,
  progress: { bytesDone: seq * 10, bytesTotal: 100, filesDone: 0, filesTotal: 1, rate: null, eta: null, message: null },
});

describe('JSON logs', () => {
  let view: TransferView;
  const secrets: string[] = [];

  beforeAll(async () => {
    const created = await h.api(TOKENS.alice, 'POST', '/api/transfers', h.transferRequest(), { 'x-request-id': 'log-create-1' });
    view = created.body;
    const triggers = h.triggersFor(view);
    const trig = await h.api(TOKENS.alice, 'POST', `/api/transfers/${view.id}/trigger`, triggers, { 'x-request-id': 'log-trigger-1' });
    expect(trig.status).toBe(200);
    await h.gwA.report(h.url, report(view.id, 1));
    await h.gwA.report(h.url, report(view.id, 2), { skewMs: -10 * 60_000 }); // stale
    await h.gwA.report(h.url, report(view.id, 3), { forge: true });
    await h.api(TOKENS.carol, 'POST', '/api/admin/users', { name: 'logan' });
    const token = (await h.api(TOKENS.carol, 'POST', '/api/admin/tokens', { user: 'logan' })).body.token;
    await h.api(token, 'GET', '/api/me', undefined, { 'x-request-id': 'has spaces and is bad' });
    // the event stream takes its token in the query string: it must not reach the log
    const sse = http.get(`${h.url}/api/tasks/events?access_token=${encodeURIComponent(TOKENS.alice)}`);
    await new Promise((resolve) => sse.once('response', resolve));
    sse.destroy();
    await waitFor('the event stream’s access log line', async () => (parsed().some((l) => l.path === '/api/tasks/events') ? true : undefined));

    const opened = view.offers.map((o) => open<SealedParams>(o.sealed, h.researcher.secretKey, { transferId: view.id, role: o.role, purpose: 'params' }));
    secrets.push(
      ...Object.values(TOKENS),
      token,
      h.coreKeys.secretKey,
      h.researcher.secretKey,
      h.gwA.sign.secretKey,
      h.gwA.box.secretKey,
      h.gwB.sign.secretKey,
      ...view.offers.map((o) => o.sealed.ct),
      ...triggers.triggers.map((t) => t.envelope.ct),
      ...opened.map((p) => p.triggerToken),
    );
  });

  it('are one JSON object per line with time, level, context, msg, requestId and transferId', () => {
    expect(lines.length).toBeGreaterThan(20);
    for (const l of parsed()) {
      expect(Object.keys(l)).toEqual(expect.arrayContaining(['time', 'level', 'context', 'msg', 'requestId', 'transferId']));
      expect(['info', 'warn', 'error', 'debug', 'verbose', 'fatal']).toContain(l.level);
      expect(new Date(l.time).toISOString()).toBe(l.time);
      expect(typeof l.msg).toBe('string');
    }
    // Nest's own start-up lines come through the same logger
    expect(parsed().some((l) => l.context === 'RoutesResolver')).toBe(true);
  });

  it('carry the caller’s x-request-id (or a fresh one) and the transfer id of the request', async () => {
    const trigger = parsed().filter((l) => l.requestId === 'log-trigger-1');
    expect(trigger.find((l) => l.msg === `transfer ${view.id} triggered`)).toMatchObject({ level: 'info', context: 'TriggerRelay', transferId: view.id });
    expect(trigger.find((l) => l.context === 'Http')).toMatchObject({
      method: 'POST',
      path: `/api/transfers/${view.id}/trigger`,
      route: '/api/transfers/:id/trigger',
      status: 200,
      user: 'alice',
      transferId: view.id,
    });
    // the create request learns its transfer id while it runs
    expect(parsed().find((l) => l.requestId === 'log-create-1' && l.context === 'Http')).toMatchObject({ status: 201, transferId: view.id });
    // a progress report names its transfer from the body
    expect(parsed().some((l) => l.context === 'Http' && l.path === '/api/gateway/progress' && l.transferId === view.id)).toBe(true);
    const res = await fetch(`${h.url}/health/live`, { headers: { 'x-request-id': 'probe-7' } });
    expect(res.headers.get('x-request-id')).toBe('probe-7');
    const fresh = await fetch(`${h.url}/health/live`, { headers: { 'x-request-id': 'x'.repeat(300) } });
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(parsed().some((l) => l.requestId === 'has spaces and is bad')).toBe(false);
  });

  it('say clearly when a gateway’s clock is off, and which window applies', () => {
    const stale = parsed().find((l) => l.context === 'GatewaySignatureGuard' && l.level === 'error');
    expect(stale?.msg).toMatch(/provider-a: request timestamp is 600 s behind this clock .* FERRY_SIGNATURE_WINDOW_SECONDS=60/);
    expect(parsed().some((l) => l.context === 'GatewaySignatureGuard' && l.level === 'warn' && /BAD_SIGNATURE/.test(l.msg))).toBe(true);
  });

  it('contain no token, key, envelope or trigger token, nor the event stream’s query string', () => {
    const all = lines.join('\n');
    for (const s of secrets) expect(all.includes(s) ? s : 'absent').toBe('absent');
    expect(all).not.toContain('access_token');
    expect(all).not.toMatch(/ferry_[A-Za-z0-9_-]{20,}/);
  });
});

describe('clock skew between the core and a gateway', () => {
  it('reaches the researcher and the log when a gateway refuses the core’s timestamp', async () => {
    const box = generateBoxKeyPair();
    const sign = generateSigningKeyPair();
    const stub = http.createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/.well-known/ferry-provider') {
        res.end(JSON.stringify({ id: 'provider-skew', name: 'Skew', boxPublicKey: box.publicKey, signPublicKey: sign.publicKey, mechanisms: ['test'] }));
        return;
      }
      res.statusCode = 401;
      const message = 'request timestamp is 700 s ahead of this clock (allowed ±60 s): check the clocks (NTP) on both machines';
      res.end(JSON.stringify({ error: { code: 'STALE_TIMESTAMP', message, details: { skewSeconds: 700 } } }));
    });
    await new Promise<void>((r) => stub.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
      const admin = (method: string, p: string, body: unknown) => h.api(TOKENS.carol, method, `/api/admin${p}`, body);
      expect((await admin('POST', '/providers', { id: 'provider-skew', name: 'Skew', url })).status).toBe(201);
      expect((await admin('POST', '/drives', { id: 'skew-data', name: 'Skew data', provider: 'provider-skew', gatewayDrive: 'data' })).status).toBe(201);
      expect((await admin('POST', '/acl/grant', { drive: 'skew-data', user: 'alice', permissions: ['READ'] })).status).toBe(200);
      expect((await admin('PUT', '/mappings', { user: 'alice', provider: 'provider-skew', identity: 'alice' })).status).toBe(200);

      const r = await h.api(TOKENS.alice, 'POST', '/api/transfers', h.transferRequest({ source: { driveId: 'skew-data', path: 'x' } }), { 'x-request-id': 'skew-1' });
      expect(r.status).toBe(502);
      expect(r.body.error.code).toBe('PROVIDER_ERROR');
      expect(r.body.error.message).toMatch(/provider-skew refused the core's signed request because of clock skew: request timestamp is 700 s ahead .*NTP/);
      expect(r.body.error.details).toEqual({ providerId: 'provider-skew', providerCode: 'STALE_TIMESTAMP', skewSeconds: 700, transferId: expect.any(String) });
      const logged = parsed().find((l) => l.requestId === 'skew-1' && l.context === 'GatewayClient' && l.level === 'error');
      expect(logged).toMatchObject({ level: 'error', msg: expect.stringContaining('clock skew: request timestamp is 700 s ahead') });
    } finally {
      await new Promise((r) => stub.close(r));
    }
  });
});

describe('body size limit', () => {
  const big = JSON.stringify({ filler: 'x'.repeat(20_000) });

  it('answers 413 PAYLOAD_TOO_LARGE with the JSON error body on every route, before authentication', async () => {
    const before = await snapshot(h);
    const routes: Array<[string, string | null]> = [
      ['/api/transfers', null],
      ['/api/transfers', TOKENS.alice],
      ['/api/admin/users', TOKENS.carol],
      [`/api/tasks/00000000-0000-4000-8000-000000000000/cancel`, TOKENS.alice],
      ['/health/ready', null],
      ['/metrics', null],
      ['/some/web/path', null],
    ];
    for (const [p, token] of routes) {
      const res = await fetch(h.url + p, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: big,
      });
      const body = await res.json();
      expect({ p, status: res.status, code: body.error?.code }).toEqual({ p, status: 413, code: 'PAYLOAD_TOO_LARGE' });
      expect(body.error.message).toMatch(/larger than the limit of 16384 bytes/);
      expect(res.headers.get('x-request-id')).toBeTruthy();
    }
    expect(await snapshot(h)).toEqual(before);
  });

  it("takes gateways' calls up to their own, larger limit (FERRY_MAX_GATEWAY_BODY_BYTES: a completion carries the manifest)", async () => {
    const before = await snapshot(h);
    for (const p of ['/api/gateway/progress', '/api/gateway/progress/batch']) {
      // over the general limit, under the gateways' one: read, then refused for its missing signature
      const read = await fetch(h.url + p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
      expect({ p, status: read.status }).toEqual({ p, status: 401 });
      const over = await fetch(h.url + p, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ filler: 'x'.repeat(50_000) }),
      });
      const body = await over.json();
      expect({ p, status: over.status, code: body.error?.code }).toEqual({ p, status: 413, code: 'PAYLOAD_TOO_LARGE' });
      expect(body.error.message).toMatch(/larger than the limit of 49152 bytes/);
    }
    expect(await snapshot(h)).toEqual(before);
  });

  it('also when the body comes chunked, without a length', async () => {
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${h.url}/api/gateway/progress`, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        let b = '';
        res.on('data', (d) => (b += d));
        res.on('end', () => resolve({ status: res.statusCode!, body: b }));
      });
      req.on('error', reject);
      for (let i = 0; i < 16; i++) req.write('x'.repeat(4096));
      req.end();
    });
    expect(status).toBe(413);
    expect(JSON.parse(body).error.code).toBe('PAYLOAD_TOO_LARGE');
  });
});

describe('rate limit per token', () => {
  it('answers 429 RATE_LIMITED with Retry-After once a token used its burst; other tokens and probes go on', async () => {
    await h.api(TOKENS.carol, 'POST', '/api/admin/users', { name: 'rita' });
    const token = (await h.api(TOKENS.carol, 'POST', '/api/admin/tokens', { user: 'rita' })).body.token;
    const before = metric(await scrape(h, 'metrics-token-for-logs-test'), 'ferry_rate_limited_total');
    let ok = 0;
    let limited: Response | null = null;
    // the bucket holds RATE requests and refills RATE a minute: the limit is hit however slow this machine is
    for (let i = 0; i < RATE * 5 && !limited; i++) {
      const res = await fetch(`${h.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
      if (res.status === 200) ok++;
      else limited = res;
      await res.arrayBuffer().catch(() => undefined);
    }
    expect(limited).not.toBeNull();
    expect(ok).toBeGreaterThanOrEqual(RATE);
    const again = await fetch(`${h.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(again.status).toBe(429);
    const body = await again.json();
    expect(body.error.code).toBe('RATE_LIMITED');
    const retryAfter = Number(again.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true);
    expect(body.error.details.retryAfterSeconds).toBe(retryAfter);

    expect((await h.api(TOKENS.alice, 'GET', '/api/me')).status).toBe(200);
    expect((await h.api('unknown-token-0123456789', 'GET', '/api/me')).status).toBe(401);
    expect((await h.api(null, 'GET', '/health/live')).status).toBe(200);
    expect(metric(await scrape(h, 'metrics-token-for-logs-test'), 'ferry_rate_limited_total') - before).toBeGreaterThanOrEqual(2);
  });
});

describe('a real core process (apps/core/dist and apps/cli/dist: `npx tsc -b apps/core apps/cli` first)', () => {
  const main = path.join(__dirname, '..', 'dist', 'main.js');

  function startCore(env: Record<string, string>) {
    const child = spawn(process.execPath, [main], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: string[] = [];
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        out.push(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    // Nest's shutdown hook closes the app, then ends the process with the signal it got
    const exited = new Promise<string>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? `exit ${code}`)));
    return { child, out, stderr: () => err, exited };
  }

  it('logs JSON from the first line to the last, and the admin CLI works against it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ferry-core-proc-'));
    const port = await freePort();
    const seed = path.join(dir, 'seed.json');
    fs.writeFileSync(seed, JSON.stringify({ users: [{ name: 'root', admin: true, tokens: ['root-token-0123456789'] }] }));
    const core = startCore({
      FERRY_PORT: String(port),
      FERRY_DATA_DIR: path.join(dir, 'data'),
      FERRY_SEED_FILE: seed,
      FERRY_WEB_DIR: path.join(dir, 'no-web'),
      FERRY_LOG_FORMAT: 'json',
      FERRY_LOG_LEVEL: 'debug',
    });
    try {
      const url = `http://127.0.0.1:${port}`;
      await waitFor('the core to listen', async () => (core.out.some((l) => l.includes('listening on')) ? true : undefined), 60_000);
      expect((await fetch(`${url}/health/ready`)).status).toBe(200); // no providers yet: the database is all
      const created = await ferry(url, 'root-token-0123456789', ['admin', 'users', 'create', 'ida', '--json']);
      expect(created.code).toBe(0);
      const listed = await ferry(url, 'root-token-0123456789', ['admin', 'users', 'list', '--json']);
      expect(JSON.parse(listed.stdout).map((u: any) => u.name)).toEqual(['ida', 'root']);
      // and the `ferry` binary itself (apps/cli/dist)
      const bin = await new Promise<{ code: number | null; out: string }>((resolve) => {
        const c = spawn(process.execPath, [path.join(__dirname, '..', '..', 'cli', 'bin', 'ferry.js'), 'admin', 'tokens', 'create', 'ida'], {
          env: { PATH: process.env.PATH ?? '', FERRY_URL: url, FERRY_TOKEN: 'root-token-0123456789', FERRY_CONFIG_DIR: path.join(dir, 'cli') },
        });
        let out = '';
        c.stdout.on('data', (d) => (out += d));
        c.on('exit', (code) => resolve({ code, out }));
      });
      expect(bin.code).toBe(0);
      expect((await fetch(`${url}/api/me`, { headers: { authorization: `Bearer ${bin.out.trim()}` } }).then((r) => r.json())).name).toBe('ida');
      core.child.kill('SIGTERM');
      expect(await core.exited).toBe('SIGTERM');
      expect(core.stderr()).toBe('');
      const objs = core.out.map((l) => JSON.parse(l));
      expect(objs.find((o) => o.msg.startsWith('listening on'))).toMatchObject({ level: 'info', context: 'Core' });
      // a clean shutdown: the database is closed by Nest's hooks, nothing logged as an error
      expect(objs.filter((o) => o.level === 'error' || o.level === 'fatal')).toEqual([]);
      expect(objs.find((o) => o.context === 'Http' && o.path === '/api/admin/users' && o.method === 'POST')).toMatchObject({ status: 201, user: 'root' });
      expect(core.out.join('\n')).not.toContain('root-token-0123456789');
    } finally {
      core.child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a bad configuration as one JSON line and exit code 1', async () => {
    const core = startCore({ FERRY_LOG_FORMAT: 'json', FERRY_PORT: 'eighty', DATABASE_URL: 'postgres://u:hunter2@127.0.0.1:1/x' });
    expect(await core.exited).toBe('exit 1');
    expect(core.out).toHaveLength(1);
    const line = JSON.parse(core.out[0]);
    expect(line).toMatchObject({ level: 'fatal', context: 'Core', msg: expect.stringContaining('FERRY_PORT must be a number') });
    expect(core.out[0]).not.toContain('hunter2');
  });
});
