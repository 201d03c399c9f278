import * as path from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { FileManifest, ProgressFigures, ProgressReport } from '@ferry/contracts';
import type { TunnelFigures } from '@ferry/plugin-sdk';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';
import { TransferRepository } from '../persistence/transfer.repository';
import { ENDED_PHASES, type StoredPhase, type TransferKey, type TransferRecord } from '../persistence/transfer.record';
import { ProgressBatcher } from '../progress/progress-batcher';
import { ProgressReporter } from '../progress/progress-reporter';
import { CoreClient, CoreSendError } from '../progress/core-client.service';
import { GatewayMetrics } from '../operations/gateway-metrics.service';
import { LiveTransfer, type TransferSink } from './live-transfer';

const ACTIVE: readonly StoredPhase[] = ['preparing', 'prepared', 'triggered', 'running', 'paused'];
const AFTER_TRIGGER: readonly StoredPhase[] = ['triggered', 'running', 'paused'];

/**
 * The live side of transfers: one LiveTransfer (handle + abort controller + progress reporter) per
 * (transfer, role) that something is working on, and what happens when a plugin reports, completes
 * or fails. Phase changes are compare-and-set in the database, so a late callback after a cancel,
 * or a second complete(), changes nothing.
 */
@Injectable()
export class TransferRuntime implements TransferSink {
  private readonly logger = new Logger(TransferRuntime.name);
  private readonly live = new Map<string, LiveTransfer>();
  private readonly pending = new Set<Promise<unknown>>();
  private stopping = false;
  /** all transfers' reports due at the same tick go to the core in one request */
  private readonly batcher: ProgressBatcher;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly repo: TransferRepository,
    private readonly core: CoreClient,
    private readonly metrics: GatewayMetrics,
  ) {
    this.batcher = new ProgressBatcher({
      sendOne: (r) => this.core.postProgress(r),
      sendBatch: (rs) => this.core.postProgressBatch(rs),
      logger: this.logger,
    });
  }

  /** The live handle for a persisted transfer, created on first use. */
  attach(record: TransferRecord): LiveTransfer {
    const k = keyOf(record);
    const existing = this.live.get(k);
    if (existing) return existing;
    const identity = this.config.identities.find((i) => i.name === record.identity) ?? {
      name: record.identity,
      account: record.identity,
      attributes: {},
    };
    const drive = this.config.drives.find((d) => d.id === record.drive);
    const binding = { id: record.drive, root: drive?.root ?? '', attributes: drive?.attributes ?? {} };
    const local = drive?.local && !record.tunnel;
    const localPath = local ? (record.path === '' ? drive.root : path.join(drive.root, ...record.path.split('/'))) : '';
    let live: LiveTransfer | undefined;
    const reporter = new ProgressReporter(
      record.transferId,
      record.role,
      {
        phase: record.phase === 'preparing' ? 'prepared' : record.phase,
        progress: record.progress,
        ...(record.manifest ? { manifest: record.manifest } : {}),
        ...(record.error ? { error: record.error } : {}),
      },
      {
        intervalMs: this.config.progressIntervalMs,
        save: (p) => this.repo.saveProgress(record, p),
        acknowledged: (seq) => this.repo.markReported(record, seq),
        send: (r, urgent) => this.batcher.send(r, urgent),
        hold: () => this.batcher.hold(),
        // the core's definite refusals are final; anything else (core unreachable, our own database
        // restarting while the figures are saved) is retried with backoff
        isRetryable: (e) => !(e instanceof CoreSendError) || e.retryable,
        refused: (report, e) => {
          if (live && report.phase === 'completed' && e instanceof CoreSendError && e.status === 413) this.failOversizedCompletion(live, report);
        },
        logger: this.logger,
        // bytes moved are counted where they leave: at the source
        advanced: record.role === 'source' ? (n) => this.metrics.bytesMoved(record.mechanism, n) : undefined,
      },
    );
    const t = new LiveTransfer(record, identity, binding, localPath, reporter, this);
    live = t;
    this.live.set(k, t);
    return t;
  }

  get(k: TransferKey): LiveTransfer | undefined {
    return this.live.get(keyOf(k));
  }

  /** Forget a transfer that is over here (finalized): stop its reporter and abort anything left. */
  release(k: TransferKey) {
    const t = this.live.get(keyOf(k));
    if (!t) return;
    t.stop('transfer finalized');
    t.reporter.close();
    this.live.delete(keyOf(k));
    this.metrics.tunnelGone(keyOf(k));
  }

  /** For the plugin's TransferDirectory: its transfers that are not over, as handles. */
  async activeHandles(mechanism: string): Promise<LiveTransfer[]> {
    return (await this.repo.listNotEnded(mechanism)).map((r) => this.attach(r));
  }

  async handleById(mechanism: string, transferId: string): Promise<LiveTransfer | undefined> {
    const rows = (await this.repo.findAll(transferId)).filter((r) => r.mechanism === mechanism && ACTIVE.includes(r.phase));
    // grant lookups (e.g. an embedded SSH server) are about the destination side
    const row = rows.find((r) => r.role === 'destination') ?? rows[0];
    return row ? this.attach(row) : undefined;
  }

  // --- TransferSink: what plugins call through their handles -------------------------------

  async saveState(t: LiveTransfer, patch: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.repo.mergeState(t.key, patch);
  }

  progress(t: LiveTransfer, p: Partial<ProgressFigures>): void {
    if (this.stopping || ENDED_PHASES.includes(t.reporter.phase)) return;
    t.reporter.update({ progress: p });
  }

  complete(t: LiveTransfer, manifest: FileManifest): void {
    this.track(async () => {
      const rec = await this.persistently(
        `completion of ${t.id}/${t.role}`,
        async () => (await this.repo.transition(t.key, AFTER_TRIGGER, 'completed', { manifest })) ?? (await this.storedIn(t, 'completed')),
      );
      if (!rec) return; // cancelled, failed or completed already
      const bytes = manifest.files.reduce((n, f) => n + f.size, 0);
      const files = manifest.files.length;
      t.reporter.update(
        { phase: 'completed', manifest, progress: { bytesDone: bytes, bytesTotal: bytes, filesDone: files, filesTotal: files } },
        true,
      );
    });
  }

  fail(t: LiveTransfer, code: string, message: string): void {
    // a plugin that stops because the gateway is shutting down has not failed: recover() resumes it
    if (this.stopping) return;
    this.track(() => this.persistently(`failure of ${t.id}/${t.role}`, () => this.markFailed(t, { code, message })));
  }

  tunnel(t: LiveTransfer, info: TunnelFigures, event?: { type: string; message: string }): void {
    if (this.stopping) return;
    if (event) t.reporter.event(event.type, event.message);
    t.reporter.update({ tunnel: info });
    this.metrics.tunnelFigures(keyOf(t.key), t.mechanism, info);
  }

  /**
   * Fails a transfer that has not ended yet (or, with `from`, one in those phases) and tells the
   * core (when it is past the trigger).
   */
  async markFailed(t: LiveTransfer, error: { code: string; message: string }, from: readonly StoredPhase[] = ACTIVE): Promise<boolean> {
    const rec = (await this.repo.transition(t.key, from, 'failed', { error })) ?? (await this.storedIn(t, 'failed'));
    if (!rec) return false;
    this.logger.warn(`transfer ${t.id}/${t.role} failed: ${error.code}: ${error.message}`);
    t.stop('transfer failed');
    t.reporter.update({ phase: 'failed', error }, true);
    return true;
  }

  /**
   * The core would not take this completion: its manifest is larger than the core's limit for
   * gateways' calls. Nothing can deliver it, so the transfer fails here with a reason an operator
   * can act on, instead of waiting for a verdict that never comes.
   */
  private failOversizedCompletion(t: LiveTransfer, report: ProgressReport): void {
    const files = report.manifest?.files.length ?? 0;
    const error = {
      code: 'MANIFEST_TOO_LARGE',
      message: `the core refused the completion report of ${files} files as too large (413); raise FERRY_MAX_GATEWAY_BODY_BYTES at the core, or send the tree in parts`,
    };
    this.track(() => this.persistently(`failure of ${t.id}/${t.role}`, () => this.markFailed(t, error, ['completed'])));
  }

  /** Called by PluginHost before plugins stop: abort work, let bookkeeping settle, keep the rest persisted. */
  async shutdown(): Promise<void> {
    this.stopping = true;
    for (const t of this.live.values()) t.stop('gateway stopping');
    // let complete()/fail() bookkeeping that already started reach the database before it closes
    await Promise.allSettled([...this.pending]);
    for (const t of this.live.values()) t.reporter.close();
    this.live.clear();
  }

  /**
   * Repeats a bookkeeping write until the database takes it: a plugin says once that a transfer
   * completed or failed, and a database restart at that moment must not lose it (the core would wait
   * for that transfer forever). Gives up only when the gateway stops; recovery resumes it at start.
   */
  private async persistently<T>(what: string, write: () => Promise<T>): Promise<T | undefined> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await write();
      } catch (e) {
        const why = (e as Error)?.message ?? String(e);
        if (this.stopping) return void this.logger.warn(`${what} not recorded before shutdown (recovery resumes it): ${why}`);
        if (attempt === 1 || attempt % 20 === 0) this.logger.warn(`${what} not recorded (attempt ${attempt}), retrying: ${why}`);
        await new Promise((r) => setTimeout(r, Math.min(10_000, 200 * 2 ** Math.min(attempt - 1, 6))));
      }
    }
  }

  /**
   * The record when it is already in `phase` but this process has not announced it: a retried write
   * whose first attempt was committed before the connection dropped finds its own change done.
   */
  private async storedIn(t: LiveTransfer, phase: StoredPhase): Promise<TransferRecord | null> {
    if (t.reporter.phase === phase) return null;
    const rec = await this.repo.find(t.key);
    return rec?.phase === phase ? rec : null;
  }

  private track(work: () => Promise<unknown>) {
    const p = work()
      .catch((e) => this.logger.error(`transfer bookkeeping failed: ${(e as Error).stack ?? e}`))
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  }
}

const keyOf = (k: TransferKey) => `${k.transferId}\n${k.role}`;
