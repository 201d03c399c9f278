import { Inject, Logger } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DomainError, type GatewayPhase, type GatewayTransferStatus } from '@ferry/contracts';
import { CORE_CONFIG, CoreConfig } from '../../config/core-config';
import { CoreInstance } from '../../config/core-instance';
import { TaskEventsPublisher } from '../../events/task-events.publisher';
import { planReport } from '../../gateway-api/report-plan';
import { GatewayClient } from '../../gateway/gateway.client';
import { ProviderRegistry, type ResolvedProvider } from '../../gateway/provider-registry.service';
import { CoreMetrics } from '../../metrics/core-metrics.service';
import type { GatewayRole, TaskEntity } from '../../persistence/entities';
import { TaskRepository } from '../../persistence/repositories';
import { STALE_CHECK_STATES } from '../../tasks/task-state';
import { CheckStaleTaskCommand, type StaleCheckResult } from './check-stale-task.command';

const BOTH: GatewayRole[] = ['destination', 'source'];

/** Phases in which the source gateway is still working on the transfer: the task is only refreshed. */
const ALIVE: readonly GatewayPhase[] = ['triggered', 'running', 'paused', 'completed'];

/**
 * The core never hears from a gateway unless it reports, so a source gateway that lost a transfer
 * (crashed with its state gone, restored from an old backup) would leave the task RUNNING forever.
 * For a task the sweeper found quiet for FERRY_STALE_TASK_SECONDS and leased to this process, ask the
 * source gateway (GET /ferry/v1/transfers/{id}/status, signed):
 *
 * - still working on it (triggered, running, paused; completed with its report on the way): refresh
 *   the task from the answer when it is newer than the last report, and look again a period later;
 * - failed: FAILED with the gateway's error (its report never arrived);
 * - does not know it (404), or has it cancelled, finalized or merely prepared: FAILED, SOURCE_LOST;
 * - no answer: note since when; once that is FERRY_SOURCE_UNREACHABLE_SECONDS ago, FAILED,
 *   'source gateway unreachable'.
 *
 * Every failure queues both gateways for finalize 'failed' (the destination revokes its grant and
 * removes partial files) in the same statement, conditional on this process's lease, so of several
 * replicas exactly one acts.
 */
@CommandHandler(CheckStaleTaskCommand)
export class CheckStaleTaskHandler implements ICommandHandler<CheckStaleTaskCommand, StaleCheckResult> {
  private readonly logger = new Logger('StaleTasks');

  constructor(
    @Inject(CORE_CONFIG) private readonly config: CoreConfig,
    private readonly tasks: TaskRepository,
    private readonly registry: ProviderRegistry,
    private readonly client: GatewayClient,
    private readonly instance: CoreInstance,
    private readonly events: TaskEventsPublisher,
    private readonly metrics: CoreMetrics,
  ) {}

  async execute({ claimed: t }: CheckStaleTaskCommand): Promise<StaleCheckResult> {
    const me = this.instance.id;
    let result: StaleCheckResult;
    try {
      result = await this.check(t, me);
    } catch (e) {
      // the database or a bug, not the gateway: give the task back so that a later sweep asks again
      await this.tasks.release(t.id, me).catch(() => undefined);
      throw e;
    }
    this.metrics.staleTaskChecks.inc({ result });
    return result;
  }

  private async check(t: TaskEntity, me: string): Promise<StaleCheckResult> {
    let src: ResolvedProvider;
    let status: GatewayTransferStatus;
    try {
      src = await this.registry.resolve(t.sourceProviderId);
    } catch (e) {
      return this.unreachable(t, me, e);
    }
    try {
      status = await this.client.status(src, t.id, 'source');
    } catch (e) {
      if (e instanceof DomainError && e.code === 'NOT_FOUND') {
        return this.fail(t, me, {
          code: 'SOURCE_LOST',
          message: `the source gateway ${src.id} no longer knows this transfer (it may have lost its state in a crash or a restore); the task had no report since ${t.updatedAt.toISOString()}`,
        });
      }
      return this.unreachable(t, me, e);
    }
    if (!isStatus(status)) return this.unreachable(t, me, new Error(`provider ${src.id} answered the status call with something that is not a transfer status`));

    if (status.phase === 'failed') {
      const why = status.error ?? { code: 'TRANSFER_FAILED', message: 'the transfer failed' };
      return this.fail(t, me, { code: why.code, message: `${why.message} (reported by the source gateway ${src.id} when the core asked; its failure report never arrived)` });
    }
    if (!ALIVE.includes(status.phase)) {
      return this.fail(t, me, {
        code: 'SOURCE_LOST',
        message: `the source gateway ${src.id} has this transfer as '${status.phase}' although the core never ended it (it may have lost its state)`,
      });
    }
    await this.refresh(t, status);
    await this.tasks.markSourceAnswered(t.id, me);
    return 'refreshed';
  }

  /** Applies the status like a report when it is newer than the last one (never 'completed': it has no manifest). */
  private async refresh(t: TaskEntity, s: GatewayTransferStatus): Promise<void> {
    if (s.phase === 'completed') {
      this.logger.warn(`transfer ${t.id}: the source gateway has completed it; waiting for its report (it keeps resending it)`);
      return;
    }
    if (!(s.seq > t.lastSeqSource)) return;
    const plan = planReport(t.kind, 'source', { transferId: t.id, role: 'source', seq: s.seq, phase: s.phase, progress: s.progress });
    const applied = await this.tasks.applyReport(t.id, 'source', s.seq, plan.from, plan.to, plan.patch);
    if (!applied) return;
    const moved = applied.task.bytesDone - applied.previousBytesDone;
    if (moved > 0) this.metrics.bytesTransferred.inc({ mechanism: applied.task.mechanism ?? 'none' }, moved);
    this.events.changed(applied.task);
  }

  private async unreachable(t: TaskEntity, me: string, e: unknown): Promise<StaleCheckResult> {
    const last = (e as Error)?.message ?? String(e);
    const note = await this.tasks.markSourceUnreachable(t.id, me, this.config.sourceUnreachableSeconds);
    if (!note?.giveUp) {
      this.logger.warn(`transfer ${t.id}: no report for a while and the source gateway does not answer: ${last}`);
      return 'unreachable';
    }
    const seconds = Math.round(note.unreachableForSeconds);
    await this.fail(t, me, {
      code: 'PROVIDER_UNAVAILABLE',
      message: `source gateway unreachable: ${t.sourceProviderId} has not answered for ${seconds} s (FERRY_SOURCE_UNREACHABLE_SECONDS=${this.config.sourceUnreachableSeconds}); last error: ${last}`,
    });
    return 'failed';
  }

  private async fail(t: TaskEntity, me: string, error: { code: string; message: string }): Promise<StaleCheckResult> {
    const done = await this.tasks.transition(
      t.id,
      STALE_CHECK_STATES,
      'FAILED',
      { error, cleanupOutcome: 'failed', cleanupRoles: BOTH },
      { leaseOwner: me },
    );
    if (!done) {
      // a report, a cancel or another end came first: nothing to do, but do not sit on the lease
      await this.tasks.release(t.id, me);
      return 'refreshed';
    }
    this.logger.warn(`transfer ${t.id} failed by the stale-task check: ${error.code}: ${error.message}`);
    this.events.changed(done);
    return 'failed';
  }
}

function isStatus(x: unknown): x is GatewayTransferStatus {
  const s = x as Partial<GatewayTransferStatus> | null;
  return !!s && typeof s.phase === 'string' && typeof s.seq === 'number' && !!s.progress && typeof s.progress === 'object';
}
