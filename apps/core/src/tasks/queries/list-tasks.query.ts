import { Query } from '@nestjs/cqrs';
import type { Page, TaskKind, TaskState, TaskView } from '@ferry/contracts';
import type { AuthUser } from '../../auth/auth.decorators';

export class ListTasksQuery extends Query<Page<TaskView>> {
  constructor(
    readonly user: AuthUser,
    readonly filter: { states?: TaskState[]; kind?: TaskKind; limit?: number; cursor?: string },
  ) {
    super();
  }
}
