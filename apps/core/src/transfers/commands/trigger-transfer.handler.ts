import { Logger } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DomainError, TransferRole, TransferView } from '@ferry/contracts';
import { auditEntry } from '../../audit/audit-entry.util';
import { CoreInstance } from '../../config/core-instance';
import { TaskEventsPublisher } from '../../events/task-events.publisher';
import { GatewayClient } from '../../gateway/gateway.client';
import { ProviderRegistry } from '../../gateway/provider-registry.service';
import type { TaskEntity, TransferEntity } from '../../persistence/entities';
import { TaskRepository, TransferRepository } from '../../persistence/repositories';
import { TaskLeases } from '../../tasks/task-leases.service';
import { toTransferView } from '../transfer-view.mapper';
import { TriggerTransferCommand } from './trigger-transfer.command';

/** Relay order: the destination installs its grant before the source starts using it. */
const RELAY_ORDER: TransferRole[] = ['destination', 'source'];

/**
 * POST /api/transfers/{id}/trigger. The core cannot open the triggers; it checks there is one per
 * offer, takes the task's lease (so one relay at a time, and the sweeper cannot expire it meanwhile),
 * relays destination first, then source, and moves the task to STARTING. If a gateway is down or
 * refuses, the task stays AWAITING_TRIGGER and the researcher may try again (gateways accept the
 * same trigger twice).
 */
@CommandHandler(TriggerTransferCommand)
export class TriggerTransferHandler implements ICommandHandler<TriggerTransferCommand> {
  private readonly logger = new Logger(TriggerTransferHandler.name);

  constructor(
    private readonly transfers: TransferRepository,
    private readonly tasks: TaskRepository,
    private readonly registry: ProviderRegistry,
    private readonly client: GatewayClient,
    private readonly instance: CoreInstance,
    private readonly leases: TaskLeases,
    private readonly events: TaskEventsPublisher,
  ) {}

  async execute({ user, transferId, request }: TriggerTransferCommand): Promise<TransferView> {
    const task = await this.tasks.findOwned(transferId, user.id);
    const x = task && (await this.transfers.find(transferId));
    if (!task || !x) throw new DomainError('NOT_FOUND', `no transfer ${transferId}`);
    const triggers = this.matchTriggers(x, request);
    const me = this.instance.id;

    const claimed = await this.tasks.claimForTrigger(x.id, me, this.instance.leaseMs);
    if (!claimed) throw await this.whyNot(x);
    try {
      await this.leases.hold(x.id, async () => {
        for (const t of triggers) {
          const gw = await this.registry.resolve(t.role === 'source' ? x.sourceProviderId : x.destinationProviderId);
          await this.client.trigger(gw, x.id, { role: t.role, envelope: t.envelope });
        }
      });
    } catch (e) {
      await this.tasks.release(x.id, me);
      throw e;
    }
    await this.transfers.recordTrigger(
      x.id,
      auditEntry(user, 'transfer.trigger', { taskId: x.id, target: `transfer:${x.id}`, details: { roles: triggers.map((t) => t.role) } }),
    );
    // a fast source may already have reported RUNNING (or more): then there is nothing to move
    const started = await this.tasks.transition(x.id, ['AWAITING_TRIGGER'], 'STARTING', {}, { leaseOwner: me });
    await this.tasks.release(x.id, me);
    this.events.changed(started);
    this.logger.log(`transfer ${x.id} triggered`);
    const [fresh, freshTask] = [await this.transfers.find(x.id), await this.tasks.find(x.id)];
    return toTransferView(fresh!, freshTask!);
  }

  /** One trigger per offered role, relayed in RELAY_ORDER. */
  private matchTriggers(x: TransferEntity, request: TriggerTransferCommand['request']) {
    const expected = new Set(x.offers.map((o) => o.role));
    const given = request.triggers.map((t) => t.role);
    const ok = given.length === expected.size && new Set(given).size === given.length && given.every((r) => expected.has(r));
    if (!ok && expected.size > 0) {
      throw new DomainError('VALIDATION_FAILED', `expected exactly one trigger for each of: ${[...expected].join(', ')}`);
    }
    return RELAY_ORDER.flatMap((role) => request.triggers.filter((t) => t.role === role));
  }

  /** The error for a task whose trigger lease could not be taken. */
  private async whyNot(x: TransferEntity): Promise<DomainError> {
    let t = (await this.tasks.find(x.id)) as TaskEntity;
    const fresh = await this.transfers.find(x.id);
    if (fresh?.triggeredAt || ['STARTING', 'RUNNING', 'PAUSED', 'FINALIZING', 'SUCCEEDED'].includes(t.state)) {
      return new DomainError('TRIGGER_REPLAYED', `transfer ${x.id} was already triggered (state ${t.state})`);
    }
    if (t.state === 'AWAITING_TRIGGER' && x.triggerDeadline.getTime() <= Date.now()) {
      // past the deadline and the sweeper has not been round yet: expire it now
      const [expired] = await this.tasks.expireOverdue(1, x.id);
      this.events.changed(expired ?? null);
      t = expired ?? t;
    }
    if (t.state === 'EXPIRED') {
      return new DomainError('EXPIRED', `transfer ${x.id} was not triggered before ${x.triggerDeadline.toISOString()}`);
    }
    if (t.state === 'AWAITING_TRIGGER') {
      return new DomainError('TRIGGER_REPLAYED', `a trigger for transfer ${x.id} is being relayed right now`);
    }
    return new DomainError('INVALID_STATE', `transfer ${x.id} cannot be triggered in state ${t.state}`);
  }
}
