import { Query } from '@nestjs/cqrs';
import type { Page, TaskState, TunnelView } from '@ferry/contracts';
import type { AuthUser } from '../../auth/auth.decorators';

export class ListTunnelsQuery extends Query<Page<TunnelView>> {
  constructor(
    readonly user: AuthUser,
    readonly filter: { states?: TaskState[]; limit?: number; cursor?: string },
  ) {
    super();
  }
}
