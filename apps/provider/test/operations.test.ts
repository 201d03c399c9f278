import * as path from 'node:path';
import { Client } from 'pg';
import { GatewayWorld, LOCALCOPY, writeTree, type DbKind } from './support/gateway-world';

const METRICS_TOKEN = 'gateway-metrics-token-0123456789';

/** One sample's value from a Prometheus text exposition (undefined when the series is absent). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return undefined;
}

describe.each<DbKind>(['pglite', 'postgres'])('gateway operations: health and metrics (%s)', (db) => {
  let w: GatewayWorld;

  beforeAll(async () => {
    w = await GatewayWorld.create({
      name: `ops-${db}`,
      db,
      pluginsA: [{ package: LOCALCOPY, options: { flakyTrigger: true } }],
      customizeB: (c) => (c.metricsToken = METRICS_TOKEN),
    });
  });
  afterAll(async () => {
    await w?.stop();
  });
  afterEach(() => {
    w.core.down = false;
  });

  const get = async (url: string, headers: Record<string, string> = {}) => {
    const res = await fetch(url, { headers });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type'), text, json: () => JSON.parse(text) };
  };

  it('/health/live answers without a signature', async () => {
    const r = await get(`${w.a.url}/health/live`);
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({ status: 'ok' });
  });

  it('/health/ready: ready with the database; the core is checked but only informative', async () => {
    const up = await get(`${w.a.url}/health/ready`);
    expect(up.status).toBe(200);
    expect(up.json()).toEqual({
      status: 'ready',
      checks: [
        { name: 'database', ok: true },
        { name: 'core', ok: true, informative: true },
      ],
    });

    w.core.down = true; // the core answers 503
    const coreDown = await get(`${w.a.url}/health/ready`);
    expect(coreDown.status).toBe(200);
    expect(coreDown.json().status).toBe('ready');
    expect(coreDown.json().checks[1]).toEqual({ name: 'core', ok: false, informative: true, error: expect.stringContaining('HTTP 503') });
  });

  if (db === 'postgres') {
    it('/health/ready: 503 while the database cannot answer, ready again after', async () => {
      const client = new Client({ connectionString: w.a.config.databaseUrl! });
      await client.connect();
      try {
        await client.query('ALTER TABLE gateway_transfers RENAME TO gateway_transfers_away');
        const down = await get(`${w.a.url}/health/ready`);
        expect(down.status).toBe(503);
        expect(down.json().status).toBe('not-ready');
        expect(down.json().checks[0]).toEqual({ name: 'database', ok: false, error: expect.stringContaining('gateway_transfers') });
      } finally {
        await client.query('ALTER TABLE gateway_transfers_away RENAME TO gateway_transfers');
        await client.end();
      }
      expect((await get(`${w.a.url}/health/ready`)).status).toBe(200);
    });
  }

  it('/metrics: transfers by phase, bytes moved, plugin calls, errors and retries, progress reports', async () => {
    writeTree(path.join(w.a.driveDir, `m-${db}`), { 'one.bin': 70_000, 'two.bin': 30_000 });
    const id = `t-metrics-${db}`;
    await w.startTransfer(id, { path: `m-${db}` });
    const done = await w.completed(id);
    expect(done.phase).toBe('completed');
    // a preparation the plugin refuses: its REJECTED is counted by code (at B)
    const refused = await w.prepare(w.b, w.prepareRequest(`t-refused-${db}`, 'destination', { mechanism: 'localcopy', peerPublicParams: { copier: 'other' } }));
    expect(refused.body).toMatchObject({ accepted: false, code: 'REJECTED_BY_POLICY' });
    // the completion report has reached the (fake) core, so it was counted as delivered
    await w.core.waitFor('completion delivered', () => w.core.reportsFor(id, 'source').some((r) => r.phase === 'completed'));

    const r = await get(`${w.a.url}/metrics`);
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^text\/plain; version=0\.0\.4/);
    const m = r.text;
    expect(sample(m, 'ferry_gateway_transfers', { role: 'source', phase: 'completed', mechanism: 'localcopy' })).toBe(1);
    expect(sample(m, 'ferry_gateway_bytes_transferred_total', { mechanism: 'localcopy' })).toBe(100_000);
    expect(sample(m, 'ferry_gateway_plugin_calls_total', { mechanism: 'localcopy', method: 'prepareSource' })).toBe(1);
    // flakyTrigger: the first source trigger throws a 'retry' error, the guard repeats it once
    expect(sample(m, 'ferry_gateway_plugin_calls_total', { mechanism: 'localcopy', method: 'trigger' })).toBe(2);
    expect(sample(m, 'ferry_gateway_plugin_retries_total', { mechanism: 'localcopy' })).toBe(1);
    expect(sample(m, 'ferry_gateway_plugin_errors_total', { mechanism: 'localcopy', code: 'PEER_UNREACHABLE' })).toBe(1);
    const delivered = sample(m, 'ferry_gateway_progress_reports_total', { result: 'delivered' })!;
    expect(delivered).toBeGreaterThanOrEqual(w.core.reportsFor(id, 'source').length);
    expect(sample(m, 'ferry_gateway_progress_reports_total', { result: 'refused' })).toBe(0);
    expect(sample(m, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    // the destination counts no bytes moved: they are counted once, at the source
    const atB = (await get(`${w.b.url}/metrics`, { authorization: `Bearer ${METRICS_TOKEN}` })).text;
    expect(sample(atB, 'ferry_gateway_bytes_transferred_total', { mechanism: 'localcopy' })).toBeUndefined();
    expect(sample(atB, 'ferry_gateway_transfers', { role: 'destination', phase: 'triggered', mechanism: 'localcopy' })).toBe(1);
    expect(sample(atB, 'ferry_gateway_plugin_calls_total', { mechanism: 'localcopy', method: 'prepareDestination' })).toBe(2);
    expect(sample(atB, 'ferry_gateway_plugin_errors_total', { mechanism: 'localcopy', code: 'REJECTED' })).toBe(1);

    // counters never go down between scrapes
    const again = (await get(`${w.a.url}/metrics`)).text;
    expect(sample(again, 'ferry_gateway_plugin_calls_total', { mechanism: 'localcopy', method: 'prepareSource' })).toBe(1);
    expect(sample(again, 'ferry_gateway_progress_reports_total', { result: 'delivered' })).toBeGreaterThanOrEqual(delivered);
  });

  it('/metrics: progress the core refuses or cannot take is counted as retry', async () => {
    w.core.down = true;
    writeTree(path.join(w.a.driveDir, `r-${db}`), { 'x.bin': 1000 });
    const id = `t-retry-${db}`;
    const before = sample((await get(`${w.a.url}/metrics`)).text, 'ferry_gateway_progress_reports_total', { result: 'retry' })!;
    await w.startTransfer(id, { path: `r-${db}` });
    // wait until the gateway has tried and failed at least once (its own counter says so)
    // until the gateway has tried and failed at least once (the jest timeout bounds the wait)
    let retried = before;
    while (retried <= before) {
      await new Promise((r) => setTimeout(r, 50));
      retried = sample((await get(`${w.a.url}/metrics`)).text, 'ferry_gateway_progress_reports_total', { result: 'retry' })!;
    }
    w.core.down = false;
    await w.completed(id);
    expect(retried).toBeGreaterThan(before);
  });

  it('/metrics with metricsToken: 401 without or with a wrong token, 200 with it; the signed API is not opened by it', async () => {
    const none = await get(`${w.b.url}/metrics`);
    expect(none.status).toBe(401);
    expect(none.json()).toEqual({ error: { code: 'UNAUTHENTICATED', message: expect.stringContaining('metricsToken') } });
    expect((await get(`${w.b.url}/metrics`, { authorization: `Bearer ${METRICS_TOKEN}x` })).status).toBe(401);
    expect((await get(`${w.b.url}/metrics`, { authorization: `Basic ${METRICS_TOKEN}` })).status).toBe(401);
    const ok = await get(`${w.b.url}/metrics`, { authorization: `Bearer ${METRICS_TOKEN}` });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('ferry_gateway_transfers');
    expect(ok.text).not.toContain(METRICS_TOKEN);
    const signedApi = await get(`${w.b.url}/ferry/v1/metrics`, { authorization: `Bearer ${METRICS_TOKEN}` });
    expect(signedApi.status).toBe(401);
    // health probes stay open
    expect((await get(`${w.b.url}/health/live`)).status).toBe(200);
  });
});
