import type { Logger } from '@nestjs/common';
import type { FileManifest, GatewayPhase, ProgressFigures, ProgressReport, TransferRole } from '@ferry/contracts';
import type { TunnelFigures } from '@ferry/plugin-sdk';
import { RateEstimator, etaSeconds } from './rate-estimator.util';

export interface ReportState {
  phase: GatewayPhase;
  progress: ProgressFigures;
  manifest?: FileManifest;
  error?: { code: string; message: string };
  tunnel?: TunnelFigures;
}

export interface ReporterDeps {
  intervalMs: number;
  /** persists the figures and returns the next seq */
  save(progress: ProgressFigures): Promise<number>;
  /** the core acknowledged `seq` */
  acknowledged(seq: number): Promise<void>;
  /** `urgent`: a phase change (or a resend), not to be held back for other transfers' reports */
  send(report: ProgressReport, urgent: boolean): Promise<void>;
  /**
   * Announces a report before its figures are saved (the batcher waits for announced reports);
   * the returned function is called once it was handed to send() or abandoned.
   */
  hold?(): () => void;
  /** whether a send failure is worth retrying */
  isRetryable(e: unknown): boolean;
  /** the core refused `report` for good (after it was acknowledged locally, so it is not resent) */
  refused?(report: ProgressReport, e: unknown): void;
  logger: Logger;
  now?: () => number;
  /** wait before the n-th consecutive retry (n >= 1) */
  backoffMs?: (n: number) => number;
  /** told how far bytesDone advanced with each update (for the bytes-moved metric) */
  advanced?: (bytes: number) => void;
}

const defaultBackoff = (n: number) => Math.min(30_000, 250 * 2 ** Math.min(n - 1, 7));

/**
 * Forwards one transfer's progress to the core: at most one report per interval (coalescing
 * whatever the plugin reported meanwhile; the latest state wins), on ticks shared with the other
 * transfers' reporters so that a batcher can send them together, phase changes and the final report
 * at once, seq strictly increasing and persisted before sending, rate smoothed here and eta computed
 * here. While the core is down it retries with backoff and keeps only the latest state to send;
 * the row stays report_pending so a restarted gateway sends it too.
 */
export class ProgressReporter {
  private state: ReportState;
  private events: NonNullable<ProgressReport['events']> = [];
  private readonly rate = new RateEstimator();
  private dirty = false;
  private urgent = false;
  private sending = false;
  private closed = false;
  private timer: NodeJS.Timeout | null = null;
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private backoffUntil = 0;
  private failures = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly transferId: string,
    private readonly role: TransferRole,
    initial: ReportState,
    private readonly deps: ReporterDeps,
  ) {
    this.state = { ...initial, progress: { ...initial.progress } };
  }

  get phase(): GatewayPhase {
    return this.state.phase;
  }

  /** Merges a change; a new phase (or `urgent`) is sent without waiting for the interval. */
  update(change: { phase?: GatewayPhase; progress?: Partial<ProgressFigures>; manifest?: FileManifest; error?: ReportState['error']; tunnel?: TunnelFigures }, urgent = false) {
    if (this.closed) return;
    const p = { ...this.state.progress };
    if (change.progress) {
      const { rate: _r, eta: _e, ...figures } = change.progress; // rate and eta are the gateway's to compute
      Object.assign(p, figures);
      if (figures.bytesDone !== undefined) p.rate = this.rate.sample(p.bytesDone, this.now());
      if (p.bytesDone > this.state.progress.bytesDone) this.deps.advanced?.(p.bytesDone - this.state.progress.bytesDone);
    }
    if (change.phase && change.phase !== this.state.phase) urgent = true;
    if (change.phase === 'completed') p.eta = 0;
    else p.eta = etaSeconds(p.bytesDone, p.bytesTotal, p.rate);
    this.state = {
      ...this.state,
      ...(change.phase ? { phase: change.phase } : {}),
      ...(change.manifest ? { manifest: change.manifest } : {}),
      ...(change.error ? { error: change.error } : {}),
      ...(change.tunnel ? { tunnel: change.tunnel } : {}),
      progress: p,
    };
    this.dirty = true;
    if (urgent) this.urgent = true;
    this.schedule();
  }

  event(type: string, message: string) {
    if (this.closed) return;
    this.events.push({ at: new Date(this.now()).toISOString(), type, message });
    this.dirty = true;
    this.schedule();
  }

  /** Sends the current state again (after a restart, for a report the core may not have). */
  resend() {
    this.update({}, true);
  }

  /** Resolves when nothing is waiting to be sent (or the reporter is closed). */
  whenIdle(): Promise<void> {
    if (this.closed || (!this.dirty && !this.sending)) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops timers; unsent state stays persisted as report_pending for the next start. */
  close() {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.settle();
  }

  private schedule() {
    if (this.sending || this.closed || !this.dirty) return;
    const now = this.now();
    const wait = Math.max(this.backoffUntil - now, this.urgent ? 0 : this.nextTick() - now, 0);
    if (this.timer) {
      if (!this.urgent) return; // already due at the interval
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => void this.flush(), wait);
  }

  private async flush() {
    this.timer = null;
    if (!this.dirty || this.closed || this.sending) return;
    this.sending = true;
    this.dirty = false;
    const wasUrgent = this.urgent;
    this.urgent = false;
    const snapshot = this.state;
    const events = this.events.splice(0);
    let seq: number | null = null;
    let report: ProgressReport | null = null;
    const release = this.deps.hold?.();
    try {
      seq = await this.deps.save(snapshot.progress);
      this.lastSentAt = this.now();
      report = this.toReport(seq, snapshot, events);
      const sent = this.deps.send(report, wasUrgent);
      release?.();
      await sent;
      this.failures = 0;
      this.backoffUntil = 0;
      await this.deps.acknowledged(seq);
    } catch (e) {
      if (this.deps.isRetryable(e) && !this.closed) {
        this.events.unshift(...events);
        this.dirty = true;
        // an undelivered phase change stays urgent: it waits for the backoff, not the interval
        this.urgent ||= wasUrgent;
        this.failures++;
        this.backoffUntil = this.now() + (this.deps.backoffMs ?? defaultBackoff)(this.failures);
        if (this.failures === 1 || this.failures % 20 === 0) {
          this.deps.logger.warn(`progress for ${this.transferId}/${this.role} not delivered (attempt ${this.failures}), retrying: ${(e as Error).message}`);
        }
      } else if (!this.closed) {
        // the core refused this report for good (e.g. it no longer knows the transfer): do not resend it
        this.deps.logger.warn(`progress for ${this.transferId}/${this.role} dropped: ${(e as Error).message}`);
        if (seq !== null) await this.deps.acknowledged(seq).catch(() => undefined);
        if (report) this.deps.refused?.(report, e);
      }
    } finally {
      release?.();
      this.sending = false;
      this.schedule();
      this.settle();
    }
  }

  /**
   * When the next regular report is due: an interval after the last, moved to the nearest tick of
   * a clock shared by all reporters (multiples of the interval), so that the reports of all running
   * transfers fall due together and leave in one batch. Spacing stays at least half an interval.
   */
  private nextTick(): number {
    const i = this.deps.intervalMs;
    const due = this.lastSentAt + i;
    return i > 0 && Number.isFinite(due) ? Math.ceil((due - i / 2) / i) * i : due;
  }

  private toReport(seq: number, s: ReportState, events: NonNullable<ProgressReport['events']>): ProgressReport {
    return {
      transferId: this.transferId,
      role: this.role,
      seq,
      phase: s.phase,
      progress: s.progress,
      ...(s.manifest && s.phase === 'completed' ? { manifest: s.manifest } : {}),
      ...(s.error ? { error: s.error } : {}),
      ...(s.tunnel ? { tunnel: s.tunnel } : {}),
      ...(events.length > 0 ? { events } : {}),
    };
  }

  private settle() {
    if (!this.closed && (this.dirty || this.sending)) return;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }
}
