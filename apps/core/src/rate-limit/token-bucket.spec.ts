import { TokenBuckets } from './token-bucket';

describe('TokenBuckets', () => {
  it('allows a burst of capacity, then refuses with the time until the next token', () => {
    let now = 0;
    const b = new TokenBuckets(60, 3, () => now); // one token a second
    expect([b.take('t'), b.take('t'), b.take('t')].every((r) => r.ok)).toBe(true);
    expect(b.take('t')).toEqual({ ok: false, retryAfterMs: 1000 });
    now = 400;
    expect(b.take('t')).toEqual({ ok: false, retryAfterMs: 600 });
    now = 1000;
    expect(b.take('t').ok).toBe(true);
    expect(b.take('t').ok).toBe(false);
  });

  it('keeps keys apart', () => {
    const b = new TokenBuckets(60, 1, () => 0);
    expect(b.take('a').ok).toBe(true);
    expect(b.take('a').ok).toBe(false);
    expect(b.take('b').ok).toBe(true);
  });

  it('never holds more than its capacity, however long idle, and forgets full buckets', () => {
    let now = 0;
    const b = new TokenBuckets(60, 2, () => now);
    b.take('a');
    now = 3_600_000;
    expect([b.take('a').ok, b.take('a').ok, b.take('a').ok]).toEqual([true, true, false]);
    now += 120_000;
    b.prune();
    expect(b.size).toBe(0);
  });
});
