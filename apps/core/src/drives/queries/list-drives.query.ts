import { Query } from '@nestjs/cqrs';
import type { DriveView } from '@ferry/contracts';
import type { AuthUser } from '../../auth/auth.decorators';

export class ListDrivesQuery extends Query<DriveView[]> {
  constructor(readonly user: AuthUser) {
    super();
  }
}
