import { Logger } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '@ferry/contracts';
import { CoreInstance } from '../../config/core-instance';
import { GatewayClient } from '../../gateway/gateway.client';
import { ProviderRegistry } from '../../gateway/provider-registry.service';
import { TaskRepository } from '../../persistence/repositories';
import { TaskLeases } from '../../tasks/task-leases.service';
import { inCleanupOrder, providerFor } from '../task-gateways.util';
import { CleanupGatewaysCommand } from './cleanup-gateways.command';

/** Retry spacing for gateways that could not be told: doubling from 2 s up to 5 min. */
const backoffMs = (attempts: number) => Math.min(2_000 * 2 ** Math.max(0, attempts - 1), 300_000);
/** After this many rounds a gateway that never answers is given up on (logged as an error). */
const MAX_ATTEMPTS = 60;

/**
 * Runs under the task's lease, so at most one core process talks to the gateways about it. Each
 * gateway that acknowledges is struck off cleanup_roles at once, so a retry only repeats the rest.
 * A definite answer from a gateway (e.g. NOT_FOUND: it never heard of the transfer) counts as done;
 * only an unreachable or failing gateway is retried, by the sweeper, with backoff.
 */
@CommandHandler(CleanupGatewaysCommand)
export class CleanupGatewaysHandler implements ICommandHandler<CleanupGatewaysCommand> {
  private readonly logger = new Logger('GatewayCleanup');

  constructor(
    private readonly tasks: TaskRepository,
    private readonly registry: ProviderRegistry,
    private readonly client: GatewayClient,
    private readonly instance: CoreInstance,
    private readonly leases: TaskLeases,
  ) {}

  async execute({ taskId, claimed }: CleanupGatewaysCommand): Promise<void> {
    const me = this.instance.id;
    const t = claimed ?? (await this.tasks.claimForCleanup(taskId, me, this.instance.leaseMs));
    if (!t || !t.cleanupOutcome) return;
    const outcome = t.cleanupOutcome;
    const pending = await this.leases.hold(t.id, async () => {
      let left = false;
      for (const role of inCleanupOrder(t.cleanupRoles)) {
        try {
          const gw = await this.registry.resolve(providerFor(t, role));
          if (outcome === 'cancelled') await definite(this.client.control(gw, t.id, { action: 'cancel', role }));
          await definite(this.client.finalize(gw, t.id, { outcome, role, ...(t.error ? { reason: t.error.message } : {}) }));
          await this.tasks.ackCleanup(t.id, role);
        } catch (e) {
          left = true;
          this.logger.warn(`task ${t.id}: could not finalize '${outcome}' at the ${role} gateway: ${(e as Error).message}`);
        }
      }
      return left;
    });
    if (pending && t.cleanupAttempts >= MAX_ATTEMPTS) {
      this.logger.error(`task ${t.id}: giving up telling gateways '${outcome}' after ${t.cleanupAttempts} attempts`);
      await this.tasks.clearCleanup(t.id);
    }
    await this.tasks.release(t.id, me, pending ? backoffMs(t.cleanupAttempts) : 0);
  }
}

/** Waits for a gateway call; a gateway's own definite refusal counts as done, failures to reach it do not. */
async function definite(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DomainError && e.code !== 'PROVIDER_UNAVAILABLE' && e.code !== 'PROVIDER_ERROR') return;
    throw e;
  }
}
