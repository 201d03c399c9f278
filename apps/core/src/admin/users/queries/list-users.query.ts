import { Query } from '@nestjs/cqrs';
import type { AdminUserView } from '@ferry/contracts';

export class ListUsersQuery extends Query<AdminUserView[]> {}
