/**
 * Transfer rate smoothed with an exponentially weighted moving average, so the task page shows a
 * steady figure rather than the burstiness of chunked I/O. Samples closer together than
 * `minWindowMs` are merged into the next one (a rate over a few milliseconds is noise).
 */
export class RateEstimator {
  private lastBytes: number | null = null;
  private lastAt = 0;
  private value: number | null = null;

  constructor(
    private readonly alpha = 0.3,
    private readonly minWindowMs = 200,
  ) {}

  get rate(): number | null {
    return this.value;
  }

  sample(bytes: number, atMs: number): number | null {
    if (this.lastBytes === null || bytes < this.lastBytes) {
      // first sample, or the mechanism restarted its count: start over
      this.lastBytes = bytes;
      this.lastAt = atMs;
      return this.value;
    }
    const dt = atMs - this.lastAt;
    if (dt < this.minWindowMs) return this.value;
    const instant = ((bytes - this.lastBytes) * 1000) / dt;
    this.value = this.value === null ? instant : this.alpha * instant + (1 - this.alpha) * this.value;
    this.lastBytes = bytes;
    this.lastAt = atMs;
    return this.value;
  }
}

/** Seconds left at the current rate, or null when the total or a positive rate is unknown. */
export function etaSeconds(done: number, total: number | null, rate: number | null): number | null {
  if (total === null || rate === null || rate <= 0) return null;
  return Math.max(0, Math.round((total - done) / rate));
}
