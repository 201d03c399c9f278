import { Query } from '@nestjs/cqrs';
import type { ProviderAccessPoints } from '@ferry/contracts';
import type { AuthUser } from '../../auth/auth.decorators';

export class ListAccessPointsQuery extends Query<ProviderAccessPoints[]> {
  constructor(readonly user: AuthUser) {
    super();
  }
}
