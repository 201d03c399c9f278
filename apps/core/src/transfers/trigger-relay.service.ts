import { Injectable, Logger } from '@nestjs/common';
import { DomainError, TaskKind, TransferRole, TriggerRequest } from '@ferry/contracts';
import { auditEntry } from '../audit/audit-entry.util';
import type { AuthUser } from '../auth/auth.decorators';
import { CoreInstance } from '../config/core-instance';
import { TaskEventsPublisher } from '../events/task-events.publisher';
import { GatewayClient } from '../gateway/gateway.client';
import { ProviderRegistry } from '../gateway/provider-registry.service';
import type { TaskEntity, TransferEntity } from '../persistence/entities';
import { TaskRepository, TransferRepository } from '../persistence/repositories';
import { TaskLeases } from '../tasks/task-leases.service';

/** Relay order: the destination installs its grant (a tunnel's listener accepts legs) before the source starts using it. */
const RELAY_ORDER: TransferRole[] = ['destination', 'source'];

/**
 * The researcher's sealed triggers, relayed to the gateways; shared by transfers and tunnels
 * (POST /api/transfers/{id}/trigger and POST /api/tunnels/{id}/trigger). The core cannot open the
 * triggers; it checks there is one per offer, takes the task's lease (so one relay at a time, and the
 * sweeper cannot expire it meanwhile), relays destination first, then source, and moves the task to
 * STARTING. If a gateway is down or refuses, the task stays AWAITING_TRIGGER and the researcher may
 * try again (gateways accept the same trigger twice).
 */
@Injectable()
export class TriggerRelay {
  private readonly logger = new Logger(TriggerRelay.name);

  constructor(
    private readonly transfers: TransferRepository,
    private readonly tasks: TaskRepository,
    private readonly registry: ProviderRegistry,
    private readonly client: GatewayClient,
    private readonly instance: CoreInstance,
    private readonly leases: TaskLeases,
    private readonly events: TaskEventsPublisher,
  ) {}

  /** Relays the triggers of the caller's task of this kind (another kind or another user's: NOT_FOUND). */
  async relay(user: AuthUser, id: string, request: TriggerRequest, kind: TaskKind): Promise<{ transfer: TransferEntity; task: TaskEntity }> {
    const task = await this.tasks.findOwned(id, user.id);
    const x = task?.kind === kind ? await this.transfers.find(id) : null;
    if (!task || !x) throw new DomainError('NOT_FOUND', `no ${kind} ${id}`);
    const triggers = this.matchTriggers(x, request);
    const me = this.instance.id;

    const claimed = await this.tasks.claimForTrigger(x.id, me, this.instance.leaseMs);
    if (!claimed) throw await this.whyNot(x, kind);
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
      auditEntry(user, 'transfer.trigger', { taskId: x.id, target: `${kind}:${x.id}`, details: { roles: triggers.map((t) => t.role) } }),
    );
    // a fast source may already have reported RUNNING (or more): then there is nothing to move
    const started = await this.tasks.transition(x.id, ['AWAITING_TRIGGER'], 'STARTING', {}, { leaseOwner: me });
    await this.tasks.release(x.id, me);
    this.events.changed(started);
    this.logger.log(`${kind} ${x.id} triggered`);
    const [fresh, freshTask] = [await this.transfers.find(x.id), await this.tasks.find(x.id)];
    return { transfer: fresh!, task: freshTask! };
  }

  /** One trigger per offered role, relayed in RELAY_ORDER. */
  private matchTriggers(x: TransferEntity, request: TriggerRequest) {
    const expected = new Set(x.offers.map((o) => o.role));
    const given = request.triggers.map((t) => t.role);
    const ok = given.length === expected.size && new Set(given).size === given.length && given.every((r) => expected.has(r));
    if (!ok && expected.size > 0) {
      throw new DomainError('VALIDATION_FAILED', `expected exactly one trigger for each of: ${[...expected].join(', ')}`);
    }
    return RELAY_ORDER.flatMap((role) => request.triggers.filter((t) => t.role === role));
  }

  /** The error for a task whose trigger lease could not be taken. */
  private async whyNot(x: TransferEntity, kind: TaskKind): Promise<DomainError> {
    let t = (await this.tasks.find(x.id)) as TaskEntity;
    const fresh = await this.transfers.find(x.id);
    if (fresh?.triggeredAt || ['STARTING', 'RUNNING', 'PAUSED', 'FINALIZING', 'SUCCEEDED', 'CLOSED'].includes(t.state)) {
      return new DomainError('TRIGGER_REPLAYED', `${kind} ${x.id} was already triggered (state ${t.state})`);
    }
    if (t.state === 'AWAITING_TRIGGER' && x.triggerDeadline.getTime() <= Date.now()) {
      // past the deadline and the sweeper has not been round yet: expire it now
      const [expired] = await this.tasks.expireOverdue(1, x.id);
      this.events.changed(expired ?? null);
      t = expired ?? t;
    }
    if (t.state === 'EXPIRED') {
      return new DomainError('EXPIRED', `${kind} ${x.id} was not triggered before ${x.triggerDeadline.toISOString()}`);
    }
    if (t.state === 'AWAITING_TRIGGER') {
      return new DomainError('TRIGGER_REPLAYED', `a trigger for ${kind} ${x.id} is being relayed right now`);
    }
    return new DomainError('INVALID_STATE', `${kind} ${x.id} cannot be triggered in state ${t.state}`);
  }
}
