import type { ProgressReport } from '@ferry/contracts';
import type { CoreHarness } from '../../support/core-harness';
import { TOKENS } from '../../support/core-harness';
import { metric, METRICS_TOKEN, scrape } from '../../support/ops-helpers';

export function metricsSuite(get: () => CoreHarness): void {
  const report = (id: string, seq: number, bytesDone: number, phase: ProgressReport['phase'] = 'running'): ProgressReport => ({
    transferId: id,
    role: 'source',
    seq,
    phase,
    progress: { bytesDone, bytesTotal: 10_000, filesDone: 0, filesTotal: 3, rate: null, eta: null, message: null },
  });

  it('needs FERRY_METRICS_TOKEN as a bearer token (API tokens do not work)', async () => {
    const h = get();
    for (const auth of [null, `Bearer ${TOKENS.carol}`, 'Bearer wrong-token-0123456789']) {
      const res = await fetch(`${h.url}/metrics`, { headers: auth ? { authorization: auth } : {} });
      expect(res.status).toBe(401);
      expect((await res.json()).error.code).toBe('UNAUTHENTICATED');
    }
    const ok = await fetch(`${h.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await ok.text();
    for (const name of [
      'ferry_transfers',
      'ferry_active_tasks',
      'ferry_bytes_transferred_total',
      'ferry_progress_reports_total',
      'ferry_provider_call_duration_seconds',
      'ferry_provider_call_errors_total',
      'ferry_http_requests_total',
      'ferry_rate_limited_total',
      'process_resident_memory_bytes',
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
  });

  it('counts transfers by state and mechanism from the database, and active tasks', async () => {
    const h = get();
    await h.startTransfer();
    const samples = await scrape(h);
    const rows = (await h.sql(`SELECT state, mechanism, count(*)::int AS n FROM tasks WHERE kind = 'transfer' GROUP BY state, mechanism`)) as Array<{ state: string; mechanism: string | null; n: number }>;
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(metric(samples, 'ferry_transfers', { state: r.state, mechanism: r.mechanism ?? 'none' })).toBe(r.n);
    const active = (await h.sql(
      `SELECT count(*)::int AS n FROM tasks WHERE state NOT IN ('REJECTED','SUCCEEDED','FAILED','CANCELLED','EXPIRED','CLOSED')`,
    )) as Array<{ n: number }>;
    expect(metric(samples, 'ferry_active_tasks')).toBe(active[0].n);
    expect(metric(samples, 'ferry_transfers', { state: 'STARTING', mechanism: 'test' })).toBeGreaterThan(0);
  });

  it('moves with a transfer: bytes from progress reports, reports applied and dropped, states', async () => {
    const h = get();
    const view = await h.startTransfer();
    const before = await scrape(h);
    expect((await h.gwA.report(h.url, report(view.id, 1, 1000))).body.applied).toBe(true);
    expect((await h.gwA.report(h.url, report(view.id, 2, 4000))).body.applied).toBe(true);
    expect((await h.gwA.report(h.url, report(view.id, 2, 9000))).body.applied).toBe(false); // same seq: dropped
    // the destination's figures are not the task's and move no bytes
    expect((await h.gwB.report(h.url, { ...report(view.id, 1, 7777), role: 'destination' })).body.applied).toBe(true);
    const after = await scrape(h);
    const d = (name: string, labels: Record<string, string> = {}) => metric(after, name, labels) - metric(before, name, labels);
    expect(d('ferry_bytes_transferred_total', { mechanism: 'test' })).toBe(4000);
    expect(d('ferry_progress_reports_total', { result: 'applied' })).toBe(3);
    expect(d('ferry_progress_reports_total', { result: 'dropped' })).toBe(1);
    expect(d('ferry_transfers', { state: 'RUNNING', mechanism: 'test' })).toBe(1);
    expect(d('ferry_transfers', { state: 'STARTING', mechanism: 'test' })).toBe(-1);
    expect(d('ferry_http_requests_total', { method: 'POST', route: '/api/gateway/progress', status: '200' })).toBe(4);
  });

  it('times every gateway call by provider and call, and counts failures by code', async () => {
    const h = get();
    const before = await scrape(h);
    await h.createTransfer();
    await h.gwB.stop();
    const r = await h.api(null, 'GET', '/health/ready'); // a descriptor fetch that fails
    expect(r.status).toBe(503);
    await h.gwB.start();
    const after = await scrape(h);
    const d = (name: string, labels: Record<string, string>) => metric(after, name, labels) - metric(before, name, labels);
    expect(d('ferry_provider_call_duration_seconds_count', { provider: 'provider-a', call: 'prepare' })).toBe(1);
    expect(d('ferry_provider_call_duration_seconds_count', { provider: 'provider-b', call: 'prepare' })).toBe(1);
    expect(d('ferry_provider_call_errors_total', { provider: 'provider-b', call: 'descriptor', code: 'PROVIDER_UNAVAILABLE' })).toBe(1);
    expect(d('ferry_provider_call_errors_total', { provider: 'provider-a', call: 'prepare' })).toBe(0);
  });

  it('counts HTTP requests by route pattern (never the raw path) and status', async () => {
    const h = get();
    const view = await h.createTransfer();
    const before = await scrape(h);
    await h.api(TOKENS.alice, 'GET', `/api/tasks/${view.id}`);
    await h.api(TOKENS.alice, 'GET', `/api/tasks/${view.id}`);
    await h.api(TOKENS.bob, 'GET', `/api/tasks/${view.id}`); // not bob's: 404 through the same route
    await h.api(TOKENS.alice, 'GET', '/api/no-such-route');
    const after = await scrape(h);
    const d = (labels: Record<string, string>) => metric(after, 'ferry_http_requests_total', labels) - metric(before, 'ferry_http_requests_total', labels);
    expect(d({ method: 'GET', route: '/api/tasks/:id', status: '200' })).toBe(2);
    expect(d({ method: 'GET', route: '/api/tasks/:id', status: '404' })).toBe(1);
    expect(d({ method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    expect(after.some((s) => s.name === 'ferry_http_requests_total' && s.labels.route.includes(view.id))).toBe(false);
  });
}
