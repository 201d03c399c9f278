import { Command } from '@nestjs/cqrs';
import type { TaskEntity } from '../../persistence/entities';

/**
 * Negotiate again a transfer whose negotiating core process died (its NEGOTIATING lease ran out).
 * `claimed`: the task as the sweeper leased it to this process.
 */
export class ResumeNegotiationCommand extends Command<void> {
  constructor(readonly claimed: TaskEntity) {
    super();
  }
}
