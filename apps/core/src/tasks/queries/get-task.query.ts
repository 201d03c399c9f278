import { Query } from '@nestjs/cqrs';
import type { TaskView } from '@ferry/contracts';
import type { AuthUser } from '../../auth/auth.decorators';

export class GetTaskQuery extends Query<TaskView> {
  constructor(
    readonly user: AuthUser,
    readonly taskId: string,
  ) {
    super();
  }
}
