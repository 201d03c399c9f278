import { Command } from '@nestjs/cqrs';
import type { TaskEntity } from '../../persistence/entities';

/**
 * Tell the gateways still listed in the task's cleanup_roles how it ended (cancel first when it
 * was cancelled, then finalize with the outcome). `claimed` when the caller already holds the lease.
 */
export class CleanupGatewaysCommand extends Command<void> {
  constructor(
    readonly taskId: string,
    readonly claimed?: TaskEntity,
  ) {
    super();
  }
}
