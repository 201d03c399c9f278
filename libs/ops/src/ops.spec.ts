import { bearerTokenCheck, runReadinessChecks } from './index';

describe('bearerTokenCheck', () => {
  it('lets everything through when no token is configured', () => {
    expect(bearerTokenCheck(null)(undefined)).toBe(true);
    expect(bearerTokenCheck('')('Bearer x')).toBe(true);
  });

  it('accepts exactly Bearer <token>', () => {
    const check = bearerTokenCheck('s3cret-metrics-token');
    expect(check('Bearer s3cret-metrics-token')).toBe(true);
    expect(check('bearer   s3cret-metrics-token ')).toBe(true);
    expect(check('Bearer s3cret-metrics-tokeN')).toBe(false);
    expect(check('Bearer s3cret-metrics-token-and-more')).toBe(false);
    expect(check('Basic s3cret-metrics-token')).toBe(false);
    expect(check('s3cret-metrics-token')).toBe(false);
    expect(check(undefined)).toBe(false);
    expect(check(['Bearer s3cret-metrics-token'])).toBe(false);
  });
});

describe('runReadinessChecks', () => {
  it('is ready when every required check passes, whatever informative ones say', async () => {
    const view = await runReadinessChecks(
      [
        { name: 'database', probe: async () => undefined },
        { name: 'core', required: false, probe: async () => Promise.reject(new Error('ECONNREFUSED')) },
      ],
      1000,
    );
    expect(view).toEqual({
      status: 'ready',
      checks: [
        { name: 'database', ok: true },
        { name: 'core', ok: false, error: 'ECONNREFUSED', informative: true },
      ],
    });
  });

  it('is not ready when a required check fails, throws synchronously, or does not answer in time', async () => {
    const view = await runReadinessChecks(
      [
        { name: 'a', probe: async () => undefined },
        {
          name: 'b',
          probe: () => {
            throw new Error('boom');
          },
        },
        { name: 'c', probe: () => new Promise<void>(() => undefined) },
      ],
      50,
    );
    expect(view.status).toBe('not-ready');
    expect(view.checks).toEqual([
      { name: 'a', ok: true },
      { name: 'b', ok: false, error: 'boom' },
      { name: 'c', ok: false, error: 'no answer within 50 ms' },
    ]);
  });
});
