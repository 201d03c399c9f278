import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { IdentityMappingView } from '@ferry/contracts';
import { IdentityMappingRepository } from '../../../persistence/repositories';
import { toMappingView } from '../../admin-view.mapper';
import { ListMappingsQuery } from './list-mappings.query';

@QueryHandler(ListMappingsQuery)
export class ListMappingsHandler implements IQueryHandler<ListMappingsQuery> {
  constructor(private readonly mappings: IdentityMappingRepository) {}

  async execute({ filter }: ListMappingsQuery): Promise<IdentityMappingView[]> {
    return (await this.mappings.list({ userName: filter.user, providerId: filter.provider })).map(toMappingView);
  }
}
