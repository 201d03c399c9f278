import type { Clock } from '../plugin-context';

/** Real time plus an offset a test can move forward (expiry without waiting). */
export class TestClock implements Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}
