import { Query } from '@nestjs/cqrs';
import type { TunnelView } from '@ferry/contracts';
import type { AuthUser } from '../../auth/auth.decorators';

export class GetTunnelQuery extends Query<TunnelView> {
  constructor(
    readonly user: AuthUser,
    readonly tunnelId: string,
  ) {
    super();
  }
}
