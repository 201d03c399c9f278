import { Command } from '@nestjs/cqrs';
import type { DomainError, ProgressBatchResponse, ProgressReport } from '@ferry/contracts';

export class RecordProgressBatchCommand extends Command<ProgressBatchResponse> {
  constructor(
    /** the provider whose signature the request carried (for every report in it) */
    readonly providerId: string,
    /** the batch's reports in order; a malformed one as its VALIDATION_FAILED error */
    readonly reports: Array<ProgressReport | DomainError>,
  ) {
    super();
  }
}
