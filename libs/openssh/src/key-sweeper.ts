import type { PluginLogger } from '@ferry/plugin-sdk';
import type { AuthorizedKeysManager } from './authorized-keys.manager';

export interface KeySweeperOptions {
  intervalMs: number;
  clock: { now(): Date };
  logger: PluginLogger;
  /** a plugin's own clean-up that runs with every sweep (e.g. keys of transfers that ended) */
  also?: (now: Date) => Promise<void>;
}

/**
 * Removes every ferry key past its expiry from the authorized-keys folder, at start and then every
 * `intervalMs`. sshd already refuses such keys (expiry-time); the sweep keeps the files small and
 * covers transfers whose finalize never came. Failures are logged, never thrown: the next round
 * tries again.
 */
export class KeySweeper {
  private timer: NodeJS.Timeout | null = null;
  private last: Promise<void> = Promise.resolve();

  constructor(
    private readonly keys: AuthorizedKeysManager,
    private readonly o: KeySweeperOptions,
  ) {}

  async start(): Promise<void> {
    if (this.timer) return;
    await this.sweep();
    this.timer = setInterval(() => void this.sweep(), this.o.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.last;
  }

  /** One round now, after any round still running (rounds never overlap; each reads the clock itself). */
  sweep(): Promise<void> {
    this.last = this.last.then(() => this.round());
    return this.last;
  }

  private async round(): Promise<void> {
    const now = this.o.clock.now();
    try {
      await this.keys.sweep(now);
    } catch (e) {
      this.o.logger.warn(`sweeping expired keys failed: ${(e as Error).message}`);
    }
    try {
      await this.o.also?.(now);
    } catch (e) {
      this.o.logger.warn(`sweep: ${(e as Error).message}`);
    }
  }
}
