import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { AdminTokenView } from '@ferry/contracts';
import { UserRepository } from '../../../persistence/repositories';
import { toTokenView } from '../../admin-view.mapper';
import { ListTokensQuery } from './list-tokens.query';

/** Tokens (all, or one user's) without the secret: id, label, state, dates. */
@QueryHandler(ListTokensQuery)
export class ListTokensHandler implements IQueryHandler<ListTokensQuery> {
  constructor(private readonly users: UserRepository) {}

  async execute({ user }: ListTokensQuery): Promise<AdminTokenView[]> {
    return (await this.users.listTokens(user)).map(toTokenView);
  }
}
