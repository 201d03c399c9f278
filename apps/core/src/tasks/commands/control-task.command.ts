import { Command } from '@nestjs/cqrs';
import type { TaskOperation, TaskView } from '@ferry/contracts';
import type { AuthUser } from '../../auth/auth.decorators';

export class ControlTaskCommand extends Command<TaskView> {
  constructor(
    readonly user: AuthUser,
    readonly taskId: string,
    readonly operation: TaskOperation,
  ) {
    super();
  }
}
