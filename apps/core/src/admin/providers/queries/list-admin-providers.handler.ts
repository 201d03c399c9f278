import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { AdminProviderView } from '@ferry/contracts';
import { ProviderRepository } from '../../../persistence/repositories';
import { toProviderView } from '../../admin-view.mapper';
import { ListAdminProvidersQuery } from './list-admin-providers.query';

/** Providers with what researchers do not see: whether keys are pinned, when they were fetched. */
@QueryHandler(ListAdminProvidersQuery)
export class ListAdminProvidersHandler implements IQueryHandler<ListAdminProvidersQuery> {
  constructor(private readonly providers: ProviderRepository) {}

  async execute(): Promise<AdminProviderView[]> {
    return (await this.providers.list()).map(toProviderView);
  }
}
