/**
 * Bytes of WRITE requests one transfer may have in flight, shared by the files it sends at the
 * same time. It lets many small files go in parallel (each needs only a few bytes of the budget)
 * while a transfer's memory stays requestsInFlight × chunkSize, however many files run.
 */
export class WriteBudget {
  private available: number;
  private readonly waiters: Array<{ n: number; wake: () => void }> = [];

  constructor(private readonly total: number) {
    this.available = total;
  }

  /** Waits until `n` bytes are free (a request bigger than the whole budget waits for all of it). */
  acquire(n: number): Promise<void> {
    const want = Math.min(n, this.total);
    if (this.waiters.length === 0 && this.available >= want) {
      this.available -= want;
      return Promise.resolve();
    }
    return new Promise((wake) => this.waiters.push({ n: want, wake }));
  }

  release(n: number): void {
    this.available += Math.min(n, this.total);
    // first come, first served: a big request is not starved by small ones behind it
    while (this.waiters.length > 0 && this.available >= this.waiters[0].n) {
      const w = this.waiters.shift()!;
      this.available -= w.n;
      w.wake();
    }
  }
}
