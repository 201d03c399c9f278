import { Command } from '@nestjs/cqrs';
import type { TaskEntity } from '../../persistence/entities';

/** Finish a FINALIZING transfer: destination verifies, source lets go, task ends. */
export class FinalizeTransferCommand extends Command<void> {
  constructor(
    readonly taskId: string,
    /** when the caller (the sweeper) already holds the task's lease */
    readonly claimed?: TaskEntity,
  ) {
    super();
  }
}
