import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DomainError, ErrorCode } from '@ferry/contracts';
import { ProgressApplier } from '../progress-applier.service';
import { RecordProgressCommand, RecordProgressResult } from './record-progress.command';

/**
 * POST /api/gateway/progress: one report, applied exactly as one report of a batch (ProgressApplier:
 * a conditional UPDATE applies it only if its seq is newer than the last stored for that role and
 * the task is in a state the report can move on from; a dropped report changes nothing). The
 * follow-up (finalize, telling gateways) runs after the answer, through the events, so the
 * reporting gateway is never kept waiting on a call back to itself.
 */
@CommandHandler(RecordProgressCommand)
export class RecordProgressHandler implements ICommandHandler<RecordProgressCommand> {
  constructor(private readonly applier: ProgressApplier) {}

  async execute({ providerId, report }: RecordProgressCommand): Promise<RecordProgressResult> {
    const [outcome] = await this.applier.apply([{ providerId, report }]);
    if ('error' in outcome) throw new DomainError(outcome.error.code as ErrorCode, outcome.error.message);
    return outcome;
  }
}
