import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import type { ProgressBatchResponse } from '@ferry/contracts';
import { ProgressApplier } from '../progress-applier.service';
import { RecordProgressBatchCommand } from './record-progress-batch.command';

/**
 * POST /api/gateway/progress/batch: every report of one signed request applied together (a constant
 * number of statements, see ProgressApplier); each gets its own outcome, in the request's order, so
 * one malformed or foreign report is refused alone and the others still count.
 */
@CommandHandler(RecordProgressBatchCommand)
export class RecordProgressBatchHandler implements ICommandHandler<RecordProgressBatchCommand> {
  constructor(private readonly applier: ProgressApplier) {}

  async execute({ providerId, reports }: RecordProgressBatchCommand): Promise<ProgressBatchResponse> {
    return { results: await this.applier.apply(reports.map((report) => ({ providerId, report }))) };
  }
}
