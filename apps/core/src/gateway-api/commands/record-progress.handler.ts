import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '@ferry/contracts';
import { TaskEventsPublisher } from '../../events/task-events.publisher';
import { providerFor } from '../../lifecycle/task-gateways.util';
import type { GatewayRole } from '../../persistence/entities';
import { TaskRepository, TransferRepository } from '../../persistence/repositories';
import { planReport, TRIGGERED_PHASES } from '../report-plan';
import { RecordProgressCommand, RecordProgressResult } from './record-progress.command';

/**
 * POST /api/gateway/progress. One conditional UPDATE applies a report only if its seq is newer than
 * the last stored for that role and the task is in a state the report can move on from; a dropped
 * report changes nothing. The follow-up (finalize, telling gateways) runs after the answer, through
 * the events, so the reporting gateway is never kept waiting on a call back to itself.
 */
@CommandHandler(RecordProgressCommand)
export class RecordProgressHandler implements ICommandHandler<RecordProgressCommand> {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly transfers: TransferRepository,
    private readonly events: TaskEventsPublisher,
  ) {}

  async execute({ providerId, report }: RecordProgressCommand): Promise<RecordProgressResult> {
    const t = await this.tasks.find(report.transferId);
    if (!t) throw new DomainError('NOT_FOUND', `no transfer ${report.transferId}`);
    const role: GatewayRole = report.role === 'source' || report.role === 'initiator' ? 'source' : 'destination';
    if (providerFor(t, role) !== providerId) {
      throw new DomainError('FORBIDDEN', `provider ${providerId} is not the ${role} of transfer ${t.id}`);
    }
    const plan = planReport(t.kind, role, report);
    const updated = await this.tasks.applyReport(t.id, role, report.seq, plan.from, plan.to, plan.patch);
    if (!updated) return { applied: false, state: t.state };
    if (TRIGGERED_PHASES.has(report.phase)) await this.transfers.markTriggered(t.id);
    this.events.changed(updated, { enteredFinalizing: plan.to === 'FINALIZING' });
    return { applied: true, state: updated.state };
  }
}
