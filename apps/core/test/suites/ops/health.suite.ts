import type { CoreHarness } from '../../support/core-harness';

export function healthSuite(get: () => CoreHarness): void {
  it('is live and ready without a token: database and both gateways answer', async () => {
    const h = get();
    const live = await h.api(null, 'GET', '/health/live');
    expect(live).toEqual({ status: 200, body: { status: 'ok' } });
    const ready = await h.api(null, 'GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({
      status: 'ready',
      checks: [
        { name: 'database', ok: true },
        { name: 'provider:provider-a', ok: true },
        { name: 'provider:provider-b', ok: true },
      ],
    });
  });

  it('is not ready (503, the failing check named) while a gateway is down, and ready again after', async () => {
    const h = get();
    await h.gwB.stop();
    const down = await h.api(null, 'GET', '/health/ready');
    expect(down.status).toBe(503);
    expect(down.body.status).toBe('not-ready');
    const checks = Object.fromEntries(down.body.checks.map((c: any) => [c.name, c]));
    expect(checks.database.ok).toBe(true);
    expect(checks['provider:provider-a'].ok).toBe(true);
    expect(checks['provider:provider-b']).toEqual({ name: 'provider:provider-b', ok: false, error: expect.stringContaining('could not be reached') });
    // liveness does not depend on gateways
    expect((await h.api(null, 'GET', '/health/live')).status).toBe(200);
    await h.gwB.start();
    expect((await h.api(null, 'GET', '/health/ready')).status).toBe(200);
  });

  it('answers probes and metrics itself, never with the web app (curl sends Accept: */*)', async () => {
    const h = get();
    for (const p of ['/health/live', '/health/ready', '/metrics']) {
      const res = await fetch(h.url + p, { headers: { accept: '*/*' } });
      expect(res.headers.get('content-type')).not.toMatch(/html/);
    }
  });
}
