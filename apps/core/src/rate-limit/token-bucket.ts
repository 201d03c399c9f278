/** The answer for one request: allowed, or how long until it would be. */
export type TakeResult = { ok: true } | { ok: false; retryAfterMs: number };

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Token buckets per key (here: per API token), in memory: each holds up to `capacity` requests and
 * refills at `perMinute` a minute, continuously. Per process: N replicas allow N times the rate
 * (documented). Idle buckets are full again after a minute, so they are dropped once idle that
 * long; the map cannot grow past the number of tokens active within a minute.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;
  private takes = 0;

  constructor(
    readonly perMinute: number,
    readonly capacity = perMinute,
    private readonly now: () => number = Date.now,
  ) {
    this.perMs = perMinute / 60_000;
  }

  take(key: string): TakeResult {
    const now = this.now();
    if (++this.takes % 1000 === 0) this.prune(now);
    const b = this.buckets.get(key) ?? { tokens: this.capacity, at: now };
    b.tokens = Math.min(this.capacity, b.tokens + (now - b.at) * this.perMs);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: Math.ceil((1 - b.tokens) / this.perMs) };
  }

  get size(): number {
    return this.buckets.size;
  }

  /** Drops buckets that would be full by now (same as absent). */
  prune(now = this.now()): void {
    for (const [k, b] of this.buckets) {
      if (b.tokens + (now - b.at) * this.perMs >= this.capacity) this.buckets.delete(k);
    }
  }
}
