import { Query } from '@nestjs/cqrs';
import type { FileListing } from '@ferry/contracts';
import type { AuthUser } from '../../auth/auth.decorators';

export class BrowseDriveQuery extends Query<FileListing> {
  constructor(
    readonly user: AuthUser,
    readonly driveId: string,
    readonly path: unknown,
  ) {
    super();
  }
}
