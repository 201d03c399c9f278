import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '@ferry/contracts';
import { TaskEventsPublisher } from '../../events/task-events.publisher';
import { providerFor } from '../../lifecycle/task-gateways.util';
import { CoreMetrics } from '../../metrics/core-metrics.service';
import type { GatewayRole } from '../../persistence/entities';
import { TaskEventRepository, TaskRepository, TransferRepository } from '../../persistence/repositories';
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
    private readonly metrics: CoreMetrics,
    private readonly taskEvents: TaskEventRepository,
  ) {}

  async execute({ providerId, report }: RecordProgressCommand): Promise<RecordProgressResult> {
    const t = await this.tasks.find(report.transferId);
    if (!t) throw new DomainError('NOT_FOUND', `no transfer ${report.transferId}`);
    const role: GatewayRole = report.role === 'source' || report.role === 'initiator' ? 'source' : 'destination';
    if (providerFor(t, role) !== providerId) {
      throw new DomainError('FORBIDDEN', `provider ${providerId} is not the ${role} of transfer ${t.id}`);
    }
    // a tunnel's events are kept even when the report's figures are dropped (e.g. the "stopped"
    // events that arrive after a cancel already closed the task): each is reported once
    if (t.kind === 'tunnel' && report.events?.length) {
      const side = role === 'source' ? 'initiator' : 'listener';
      await this.taskEvents.append(t.id, report.events.map((e) => ({ side, at: new Date(e.at), type: e.type, message: e.message })));
    }
    const plan = planReport(t.kind, role, report);
    const applied = await this.tasks.applyReport(t.id, role, report.seq, plan.from, plan.to, plan.patch);
    this.metrics.progressReports.inc({ result: applied ? 'applied' : 'dropped' });
    if (!applied) return { applied: false, state: t.state };
    const updated = applied.task;
    // bytes moved = how far the source's bytesDone advanced (a restart from zero counts nothing)
    const moved = role === 'source' ? updated.bytesDone - applied.previousBytesDone : 0;
    if (moved > 0) this.metrics.bytesTransferred.inc({ mechanism: updated.mechanism ?? 'none' }, moved);
    // only the report that moves a task out of AWAITING_TRIGGER/STARTING can be the first sign of
    // the trigger; later ones would only re-read the row (one query less per report)
    if (TRIGGERED_PHASES.has(report.phase) && (t.state === 'AWAITING_TRIGGER' || t.state === 'STARTING')) await this.transfers.markTriggered(t.id);
    this.events.changed(updated, { enteredFinalizing: plan.to === 'FINALIZING' });
    return { applied: true, state: updated.state };
  }
}
