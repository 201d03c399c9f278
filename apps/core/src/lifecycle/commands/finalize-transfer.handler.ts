import { Logger } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DomainError, FinalizeResponse } from '@ferry/contracts';
import { CoreInstance } from '../../config/core-instance';
import { TaskEventsPublisher } from '../../events/task-events.publisher';
import { GatewayClient } from '../../gateway/gateway.client';
import { ProviderRegistry } from '../../gateway/provider-registry.service';
import type { TaskEntity } from '../../persistence/entities';
import { TaskRepository, TransferRepository } from '../../persistence/repositories';
import { TaskLeases } from '../../tasks/task-leases.service';
import { verdictOf } from '../finalize-response.util';
import { offeredRoles } from '../task-gateways.util';
import { FinalizeTransferCommand } from './finalize-transfer.command';

const MAX_ATTEMPTS = 20;
const backoffMs = (attempts: number) => Math.min(1_000 * 2 ** Math.max(0, attempts - 1), 120_000);

/**
 * FINALIZING -> SUCCEEDED | FAILED. Re-runnable from the top: it holds the task's lease while it
 * works, and if the core dies (or a gateway is down) midway, the sweeper claims the task again once
 * the lease runs out and repeats the calls, which gateways answer idempotently. Only the final
 * conditional transition, made by the lease holder, ends the task.
 */
@CommandHandler(FinalizeTransferCommand)
export class FinalizeTransferHandler implements ICommandHandler<FinalizeTransferCommand> {
  private readonly logger = new Logger('Finalize');

  constructor(
    private readonly tasks: TaskRepository,
    private readonly transfers: TransferRepository,
    private readonly registry: ProviderRegistry,
    private readonly client: GatewayClient,
    private readonly instance: CoreInstance,
    private readonly leases: TaskLeases,
    private readonly events: TaskEventsPublisher,
  ) {}

  async execute({ taskId, claimed }: FinalizeTransferCommand): Promise<void> {
    const me = this.instance.id;
    const t = claimed ?? (await this.tasks.claim(taskId, ['FINALIZING'], me, this.instance.leaseMs));
    if (!t) return;
    try {
      await this.leases.hold(t.id, () => this.finalize(t, me));
    } catch (e) {
      await this.failedAttempt(t, me, e);
    }
  }

  private async finalize(t: TaskEntity, me: string): Promise<void> {
    const x = await this.transfers.find(t.id);
    if (!x) throw new Error(`transfer ${t.id} is missing`);
    const roles = offeredRoles(x);
    let verdict: ReturnType<typeof verdictOf> = { ok: true };
    if (roles.includes('destination')) {
      const dst = await this.registry.resolve(x.destinationProviderId);
      const r = await this.client.finalize(dst, t.id, {
        outcome: 'succeeded',
        role: 'destination',
        ...(t.manifest ? { manifest: t.manifest } : {}),
      });
      verdict = verdictOf(r as FinalizeResponse);
    }
    const src = await this.registry.resolve(x.sourceProviderId);
    await this.client.finalize(src, t.id, verdict.ok ? { outcome: 'succeeded', role: 'source' } : { outcome: 'failed', role: 'source', reason: verdict.message });
    const done = verdict.ok
      ? await this.tasks.transition(t.id, ['FINALIZING'], 'SUCCEEDED', {}, { leaseOwner: me })
      : await this.tasks.transition(t.id, ['FINALIZING'], 'FAILED', { error: { code: 'VERIFY_FAILED', message: verdict.message } }, { leaseOwner: me });
    this.logger.log(`transfer ${t.id}: ${done?.state ?? 'already ended elsewhere'}`);
    this.events.changed(done);
  }

  private async failedAttempt(t: TaskEntity, me: string, e: unknown): Promise<void> {
    const retryable = !(e instanceof DomainError) || e.code === 'PROVIDER_UNAVAILABLE' || e.code === 'PROVIDER_ERROR';
    const message = (e as Error)?.message ?? String(e);
    if (retryable && t.finalizeAttempts < MAX_ATTEMPTS) {
      this.logger.warn(`transfer ${t.id}: finalize attempt ${t.finalizeAttempts} failed, will retry: ${message}`);
      await this.tasks.release(t.id, me, backoffMs(t.finalizeAttempts));
      return;
    }
    this.logger.warn(`transfer ${t.id}: finalize failed for good: ${message}`);
    const code = e instanceof DomainError ? e.code : 'FINALIZE_FAILED';
    const failed = await this.tasks.transition(
      t.id,
      ['FINALIZING'],
      'FAILED',
      { error: { code, message }, cleanupOutcome: 'failed', cleanupRoles: ['destination', 'source'] },
      { leaseOwner: me },
    );
    this.events.changed(failed);
  }
}
