import type { Logger } from '@nestjs/common';
import { MAX_PROGRESS_BATCH, type ProgressReport, type ProgressReportOutcome } from '@ferry/contracts';
import { CoreSendError } from './core-client.service';

export interface BatcherDeps {
  /** one report, POST /api/gateway/progress (throws CoreSendError) */
  sendOne(report: ProgressReport): Promise<void>;
  /** several, POST /api/gateway/progress/batch: one outcome each (throws CoreSendError for the whole request) */
  sendBatch(reports: ProgressReport[]): Promise<ProgressReportOutcome[]>;
  logger: Logger;
  /** how long a queued report waits at most for reports still being saved (default 100 ms) */
  maxWaitMs?: number;
  /** most reports per request (default and at most MAX_PROGRESS_BATCH) */
  maxReports?: number;
  /** most JSON bytes of reports per request (default 256 KiB; the core's default body limit is 1 MiB) */
  maxBytes?: number;
  now?: () => number;
}

interface Queued {
  report: ProgressReport;
  bytes: number;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** After a 404 from the batch endpoint (a core that predates it), single reports for this long. */
const NO_BATCH_MS = 5 * 60_000;

/**
 * Sends the progress reports of all of this gateway's transfers that are due at the same moment
 * in as few signed requests as it can: a core applies a batch with a constant number of
 * statements, where each single report costs it a request and four statements.
 *
 * Reporters announce a report before they save its figures (`hold`), so the batch leaves once
 * every announced report is queued (or after maxWaitMs, or at once for an urgent one: a phase
 * change). Each report's promise settles with its own outcome: a report the core refused fails
 * with a final CoreSendError, a request that failed as a whole fails all its reports with the
 * request's error (retryable or not), so every reporter retries or drops exactly as it would with
 * single requests. A lone report, or any while the core lacks the batch endpoint, goes alone.
 */
export class ProgressBatcher {
  private queue: Queued[] = [];
  private holds = 0;
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private batchesRefusedUntil = 0;

  constructor(private readonly deps: BatcherDeps) {}

  /** A report is being prepared; the returned function says it was queued or abandoned (idempotent). */
  hold(): () => void {
    this.holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      this.schedule(false);
    };
  }

  /** Resolves when the core took the report (applied or dropped as older); rejects with CoreSendError. */
  send(report: ProgressReport, urgent = false): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ report, bytes: JSON.stringify(report).length, resolve, reject });
      this.schedule(urgent);
    });
  }

  private schedule(urgent: boolean) {
    if (this.queue.length === 0 || this.immediate) return;
    if (urgent || this.holds === 0 || this.queue.length >= this.maxReports()) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.immediate = setImmediate(() => this.flush());
    } else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.deps.maxWaitMs ?? 100);
    }
  }

  private flush() {
    this.immediate = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const maxBytes = this.deps.maxBytes ?? 256 * 1024;
    while (this.queue.length > 0) {
      let bytes = 0;
      let n = 0;
      while (n < this.queue.length && n < this.maxReports() && (n === 0 || bytes + this.queue[n].bytes <= maxBytes)) bytes += this.queue[n++].bytes;
      void this.post(this.queue.splice(0, n));
    }
  }

  private async post(batch: Queued[]) {
    if (batch.length === 1 || this.now() < this.batchesRefusedUntil) return this.postEach(batch);
    let outcomes: ProgressReportOutcome[];
    try {
      outcomes = await this.deps.sendBatch(batch.map((q) => q.report));
    } catch (e) {
      if (e instanceof CoreSendError && e.status === 404) {
        this.deps.logger.warn('the core has no progress batch endpoint (404): sending progress reports one by one');
        this.batchesRefusedUntil = this.now() + NO_BATCH_MS;
        return this.postEach(batch);
      }
      for (const q of batch) q.reject(e);
      return;
    }
    batch.forEach((q, i) => {
      const o = outcomes[i];
      if ('error' in o) q.reject(new CoreSendError(`core refused the report: ${o.error.code}: ${o.error.message}`, false));
      else q.resolve();
    });
  }

  private async postEach(batch: Queued[]) {
    await Promise.all(batch.map((q) => this.deps.sendOne(q.report).then(q.resolve, q.reject)));
  }

  private maxReports(): number {
    return Math.min(this.deps.maxReports ?? MAX_PROGRESS_BATCH, MAX_PROGRESS_BATCH);
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }
}
