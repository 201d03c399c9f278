import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { CORE_CONFIG, CoreConfig } from '../config/core-config';
import { CoreInstance } from '../config/core-instance';
import { TaskEventsPublisher } from '../events/task-events.publisher';
import { CleanupGatewaysCommand } from '../lifecycle/commands/cleanup-gateways.command';
import { FinalizeTransferCommand } from '../lifecycle/commands/finalize-transfer.command';
import { NonceRepository, TaskRepository } from '../persistence/repositories';
import { CheckStaleTaskCommand } from '../lifecycle/commands/check-stale-task.command';
import { ResumeNegotiationCommand } from '../transfers/commands/resume-negotiation.command';

const BATCH = 50;

/**
 * Every FERRY_SWEEP_INTERVAL_MS: expire untriggered transfers past their deadline, resume
 * negotiations whose core process died, retry finalizations nobody is working on, retry telling
 * gateways how tasks ended, ask source gateways about tasks that stopped reporting (stale-task
 * check), forget old nonces.
 * Every step claims its rows with a conditional UPDATE (FOR UPDATE SKIP LOCKED + lease), so several
 * core replicas can sweep the same database without doing anything twice.
 */
@Injectable()
export class SweeperService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Sweeper');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    @Inject(CORE_CONFIG) private readonly config: CoreConfig,
    private readonly tasks: TaskRepository,
    private readonly nonces: NonceRepository,
    private readonly commands: CommandBus,
    private readonly instance: CoreInstance,
    private readonly events: TaskEventsPublisher,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), this.config.sweepIntervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One sweep (skipped if the previous one is still going). Exposed for tests and tools. */
  tick(): Promise<void> {
    if (this.running || !this.timer) return this.running ?? Promise.resolve();
    this.running = this.sweep()
      .catch((e) => this.logger.error(`sweep failed: ${(e as Error)?.stack ?? e}`))
      .finally(() => (this.running = null));
    return this.running;
  }

  private async sweep(): Promise<void> {
    for (const t of await this.tasks.expireOverdue(BATCH)) {
      this.logger.log(`transfer ${t.id} expired (not triggered in time)`);
      this.events.changed(t);
    }
    const me = this.instance.id;
    const finalizing = await this.tasks.claimStuckFinalizing(me, this.instance.leaseMs, BATCH);
    const cleanups = await this.tasks.claimPendingCleanup(me, this.instance.leaseMs, BATCH);
    const negotiations = await this.tasks.claimStaleNegotiating(me, this.instance.leaseMs, BATCH);
    const stale = await this.tasks.claimStale(me, this.instance.leaseMs, this.config.staleTaskSeconds, BATCH);
    await Promise.all([
      ...negotiations.map((t) => this.commands.execute(new ResumeNegotiationCommand(t))),
      ...finalizing.map((t) => this.commands.execute(new FinalizeTransferCommand(t.id, t))),
      ...cleanups.map((t) => this.commands.execute(new CleanupGatewaysCommand(t.id, t))),
      ...stale.map((t) => this.commands.execute(new CheckStaleTaskCommand(t))),
    ]);
    await this.nonces.deleteExpired();
  }
}
