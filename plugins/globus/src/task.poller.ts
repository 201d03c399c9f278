import type { FileManifest } from '@ferry/contracts';
import type { PluginLogger, PluginMetricsSink, TransferHandle } from '@ferry/plugin-sdk';
import { backoffDelay } from './backoff.util';
import { GlobusApiError, GlobusNetworkError } from './globus-api.error';
import type { GlobusTaskDocument } from './globus.types';
import { outcomeOf, progressOf } from './task-progress.mapper';
import type { TransferApiClient } from './transfer-api.client';

export interface WatchRequest {
  taskId: string;
  handle: TransferHandle;
  totals: { bytes: number; files: number } | null;
  /** the manifest handed to t.complete() when Globus says SUCCEEDED */
  manifest: () => Promise<FileManifest>;
}

interface Entry extends WatchRequest {
  lastReport: string;
  /** set when ferry itself asked Globus to cancel: the CANCELED end is then expected, not a failure */
  cancelling: boolean;
}

export interface PollerOptions {
  intervalMs: number;
  maxBackoffMs: number;
  batchSize: number;
}

/**
 * ONE poller per plugin instance (per gateway) follows every active Globus task: one timer, rounds
 * that never overlap, task documents fetched in batches of up to 50 ids per task_list call. After
 * 429/5xx or a network failure the next round waits with capped exponential backoff, never less
 * than Retry-After. Success is decided only by the task's status, never by events.
 */
export class GlobusTaskPoller {
  private readonly watched = new Map<string, Entry>();
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  private stopped = true;
  private failures = 0;
  /** rounds completed, for tests and the bench */
  rounds = 0;

  constructor(
    private readonly client: TransferApiClient,
    private readonly o: PollerOptions,
    private readonly log: PluginLogger,
    /** the gateway's optional metrics hook: poll rounds (their rate is the poll rate) and tasks followed */
    private readonly metrics?: PluginMetricsSink,
  ) {}

  get size(): number {
    return this.watched.size;
  }

  isWatching(transferId: string): boolean {
    return this.watched.has(transferId);
  }

  start(): void {
    this.stopped = false;
    this.schedule(this.o.intervalMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  watch(w: WatchRequest): void {
    this.watched.set(w.handle.id, { ...w, lastReport: '', cancelling: false });
    if (!this.timer && !this.busy) this.schedule(this.o.intervalMs);
  }

  /** ferry cancelled it: stop following without reporting a failure */
  unwatch(transferId: string): void {
    this.watched.delete(transferId);
  }

  markCancelling(transferId: string): void {
    const e = this.watched.get(transferId);
    if (e) e.cancelling = true;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.round(), ms);
  }

  private async round(): Promise<void> {
    this.timer = null;
    if (this.stopped || this.watched.size === 0) return; // idle: the next watch() re-arms the timer
    this.busy = true;
    let delay = this.o.intervalMs;
    try {
      const entries = [...this.watched.values()];
      for (let i = 0; i < entries.length && !this.stopped; i += this.o.batchSize) {
        const batch = entries.slice(i, i + this.o.batchSize);
        // no retries inside a round: the round's own backoff paces the whole poller
        const list = await this.client.tasksById(batch.map((e) => e.taskId), { maxAttempts: 1 });
        const byId = new Map(list.DATA.map((d) => [d.task_id, d]));
        for (const e of batch) {
          if (this.watched.get(e.handle.id) !== e) continue; // unwatched meanwhile
          const doc = byId.get(e.taskId) ?? (await this.single(e));
          if (doc) await this.apply(e, doc);
        }
      }
      this.failures = 0;
      this.rounds++;
      this.metrics?.increment('globus_poll_rounds_total', 1, 'Rounds of the Globus task poller (one task_list call per 50 followed tasks)');
    } catch (err) {
      if (this.stopped) return;
      this.metrics?.increment('globus_poll_errors_total', 1, 'Globus poll rounds that failed and were deferred with backoff');
      delay = this.onRoundError(err);
    } finally {
      this.metrics?.set('globus_tasks_watched', this.watched.size, 'Globus tasks the poller follows');
      this.busy = false;
      this.schedule(delay);
    }
  }

  /** A task missing from task_list (should not happen): ask for it alone; 404 ends the transfer. */
  private async single(e: Entry): Promise<GlobusTaskDocument | null> {
    try {
      return await this.client.getTask(e.taskId, { maxAttempts: 1 });
    } catch (err) {
      if (err instanceof GlobusApiError && err.status === 404) {
        this.watched.delete(e.handle.id);
        e.handle.fail('NOT_FOUND', `Globus task ${e.taskId} no longer exists (${err.message})`);
        return null;
      }
      throw err;
    }
  }

  private onRoundError(err: unknown): number {
    const transient = err instanceof GlobusNetworkError || (err instanceof GlobusApiError && err.retryable);
    const retryAfter = err instanceof GlobusApiError ? err.retryAfterMs : undefined;
    const delay = backoffDelay(this.failures++, this.o.intervalMs, this.o.maxBackoffMs, retryAfter);
    const what = err instanceof Error ? err.message : String(err);
    if (transient) {
      this.log.warn('globus: poll round deferred after a transient error', { delayMs: delay, error: what, retryAfterMs: retryAfter });
      return delay;
    }
    // Not transient (e.g. the application's credentials were revoked): the Globus tasks may still be
    // running, so keep following them slowly and say why on every task page.
    this.log.error('globus: polling Globus failed', { error: what, delayMs: delay });
    for (const e of this.watched.values()) e.handle.report({ message: `Cannot reach Globus to follow task ${e.taskId}: ${what}` });
    return delay;
  }

  private async apply(e: Entry, doc: GlobusTaskDocument): Promise<void> {
    const t = e.handle;
    const progress = progressOf(doc, e.totals);
    const sig = JSON.stringify(progress);
    if (sig !== e.lastReport) {
      e.lastReport = sig;
      t.report(progress);
    }
    const outcome = outcomeOf(doc);
    if (outcome.kind === 'running') return;
    this.watched.delete(t.id);
    // remembered with the transfer so that a late repeated trigger never reports the end twice
    await t.saveState({ globusOutcome: doc.status }).catch((err: unknown) =>
      this.log.warn('globus: could not record the task outcome', { transferId: t.id, error: (err as Error)?.message }),
    );
    if (outcome.kind === 'succeeded') {
      try {
        const manifest = await e.manifest();
        t.report({ ...progress, bytesDone: progress.bytesTotal ?? progress.bytesDone, message: `Globus task ${doc.task_id} SUCCEEDED` });
        t.complete(manifest);
      } catch (err) {
        t.fail('INTERNAL', `Globus task ${doc.task_id} succeeded but its manifest could not be read: ${(err as Error).message}`);
      }
      return;
    }
    if (outcome.cancelled && (e.cancelling || t.signal.aborted)) return;
    this.log.warn('globus: task failed', { transferId: t.id, taskId: doc.task_id, reason: outcome.message });
    t.fail(outcome.code, outcome.message);
  }
}
