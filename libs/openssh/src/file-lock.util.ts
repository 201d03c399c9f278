import { promises as fs } from 'node:fs';
import { OpenSshError } from './openssh.error';

/**
 * Serializes writers of one file: a promise queue per path inside this process, and an
 * O_EXCL lock file between processes (two gateways, or a gateway and an operator's script, may
 * share an authorized-keys folder). A lock file older than `staleMs` belongs to a crashed writer
 * and is taken over.
 */
export class FileLocks {
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly opts: { timeoutMs?: number; staleMs?: number } = {},
  ) {}

  /** Runs `fn` while holding the lock for `file` (lock file: `lockFile`). */
  async with<T>(file: string, lockFile: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.queues.get(file) ?? Promise.resolve();
    const run = prev.catch(() => undefined).then(async () => {
      await this.acquire(lockFile);
      try {
        return await fn();
      } finally {
        await fs.rm(lockFile, { force: true });
      }
    });
    this.queues.set(file, run);
    try {
      return await run;
    } finally {
      if (this.queues.get(file) === run) this.queues.delete(file);
    }
  }

  private async acquire(lockFile: string): Promise<void> {
    const deadline = Date.now() + (this.opts.timeoutMs ?? 10_000);
    const staleMs = this.opts.staleMs ?? 30_000;
    for (let delay = 5; ; delay = Math.min(delay * 2, 200)) {
      try {
        const h = await fs.open(lockFile, 'wx', 0o600);
        await h.writeFile(String(process.pid));
        await h.close();
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      try {
        const st = await fs.stat(lockFile);
        if (Date.now() - st.mtimeMs > staleMs) {
          await fs.rm(lockFile, { force: true });
          continue;
        }
      } catch {
        continue; // released meanwhile
      }
      if (Date.now() > deadline) throw new OpenSshError('LOCK_TIMEOUT', `could not lock ${lockFile}: another writer holds it`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
