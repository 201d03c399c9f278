import { backoffDelay, parseRetryAfter, sleep } from './backoff.util';

describe('backoffDelay', () => {
  it('grows exponentially and is capped', () => {
    for (let attempt = 0; attempt < 40; attempt++) {
      const d = backoffDelay(attempt, 100, 5000);
      expect(d).toBeLessThanOrEqual(5000);
      expect(d).toBeGreaterThanOrEqual(Math.min(5000, 100 * 2 ** attempt) * 0.75 - 1);
    }
  });

  it('never waits less than Retry-After, even beyond the cap', () => {
    expect(backoffDelay(0, 100, 1000, 30_000)).toBe(30_000);
    expect(backoffDelay(10, 100, 1000, 0)).toBeGreaterThanOrEqual(750);
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('0')).toBe(0);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('sleep', () => {
  it('rejects as soon as the signal aborts', async () => {
    const c = new AbortController();
    const p = sleep(60_000, c.signal);
    c.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
  });
});
