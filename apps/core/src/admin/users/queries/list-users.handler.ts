import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { AdminUserView } from '@ferry/contracts';
import { UserRepository } from '../../../persistence/repositories';
import { toUserView } from '../../admin-view.mapper';
import { ListUsersQuery } from './list-users.query';

@QueryHandler(ListUsersQuery)
export class ListUsersHandler implements IQueryHandler<ListUsersQuery> {
  constructor(private readonly users: UserRepository) {}

  async execute(): Promise<AdminUserView[]> {
    return (await this.users.list()).map((u) => toUserView(u, u.activeTokens));
  }
}
