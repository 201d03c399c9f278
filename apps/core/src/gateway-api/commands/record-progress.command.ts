import { Command } from '@nestjs/cqrs';
import type { ProgressReport } from '@ferry/contracts';

export interface RecordProgressResult {
  /** false when the report was dropped (older seq, or the task is past the point it describes) */
  applied: boolean;
  state: string;
}

export class RecordProgressCommand extends Command<RecordProgressResult> {
  constructor(
    /** the provider whose signature the request carried */
    readonly providerId: string,
    readonly report: ProgressReport,
  ) {
    super();
  }
}
