import { CommandBus, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DomainError, TaskView } from '@ferry/contracts';
import { auditEntry } from '../../audit/audit-entry.util';
import type { AuthUser } from '../../auth/auth.decorators';
import { TaskEventsPublisher } from '../../events/task-events.publisher';
import { GatewayClient } from '../../gateway/gateway.client';
import { ProviderRegistry } from '../../gateway/provider-registry.service';
import { CleanupGatewaysCommand } from '../../lifecycle/commands/cleanup-gateways.command';
import { offeredRoles } from '../../lifecycle/task-gateways.util';
import type { TaskEntity } from '../../persistence/entities';
import { AuditRepository, TaskRepository, TransferRepository } from '../../persistence/repositories';
import { OPERATION_STATES } from '../task-state';
import { toTaskView } from '../task-view.mapper';
import { ControlTaskCommand } from './control-task.command';

/**
 * pause / resume / cancel, only where the mechanism declares the operation and the state allows it.
 * pause and resume go to the source gateway first and change the state once it has agreed.
 * cancel is recorded first (one conditional transition: exactly one caller wins), then both gateways
 * are told (control cancel + finalize 'cancelled'); a gateway that cannot be reached is retried by
 * the sweeper, so the researcher never has to cancel twice.
 */
@CommandHandler(ControlTaskCommand)
export class ControlTaskHandler implements ICommandHandler<ControlTaskCommand> {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly transfers: TransferRepository,
    private readonly registry: ProviderRegistry,
    private readonly client: GatewayClient,
    private readonly commands: CommandBus,
    private readonly events: TaskEventsPublisher,
    private readonly audit: AuditRepository,
  ) {}

  async execute({ user, taskId, operation }: ControlTaskCommand): Promise<TaskView> {
    const t = await this.tasks.findOwned(taskId, user.id);
    if (!t) throw new DomainError('NOT_FOUND', `no task ${taskId}`);
    if (!t.operations.includes(operation)) {
      throw new DomainError('INVALID_STATE', `the ${t.mechanism ?? 'task’s'} mechanism does not support ${operation}`);
    }
    const from = OPERATION_STATES[operation];
    if (!from.includes(t.state)) throw cannot(operation, t);

    if (operation === 'cancel') return this.cancel(user, t);
    const src = await this.registry.resolve(t.sourceProviderId);
    await this.client.control(src, t.id, { action: operation, role: 'source' });
    const audit = auditEntry(user, operation === 'pause' ? 'task.pause' : 'task.resume', {
      taskId: t.id,
      target: `transfer:${t.id}`,
      details: { from: t.state },
    });
    const moved = await this.tasks.transition(t.id, from, operation === 'pause' ? 'PAUSED' : 'RUNNING', {}, { audit });
    // the gateway agreed, but its report may have moved the task first: the action still happened
    if (!moved) await this.audit.record(audit);
    this.events.changed(moved);
    return toTaskView(moved ?? (await this.tasks.find(t.id))!);
  }

  private async cancel(user: AuthUser, t: TaskEntity): Promise<TaskView> {
    const x = await this.transfers.find(t.id);
    const roles = x ? offeredRoles(x) : [];
    const audit = auditEntry(user, 'task.cancel', { taskId: t.id, target: `transfer:${t.id}`, details: { from: t.state } });
    // a tunnel that is cancelled is simply closed: CLOSED is how every tunnel ends well
    const cancelled = await this.tasks.transition(
      t.id,
      OPERATION_STATES.cancel,
      t.kind === 'tunnel' ? 'CLOSED' : 'CANCELLED',
      { error: null, cleanupOutcome: roles.length ? 'cancelled' : null, cleanupRoles: roles },
      { audit },
    );
    if (!cancelled) throw cannot('cancel', (await this.tasks.find(t.id))!);
    // tell the gateways now, so the answer reflects it when they are up; the event's saga run finds nothing left
    await this.commands.execute(new CleanupGatewaysCommand(t.id));
    this.events.changed(cancelled);
    return toTaskView(cancelled);
  }
}

const cannot = (op: string, t: TaskEntity) => new DomainError('INVALID_STATE', `cannot ${op} a task in state ${t.state}`);
