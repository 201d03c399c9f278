import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { ProviderView } from '@ferry/contracts';
import { ProviderRepository } from '../../persistence/repositories';
import { ListProvidersQuery } from './list-providers.query';

/** The registry as it stands (keys null until pinned or first fetched from the gateway). */
@QueryHandler(ListProvidersQuery)
export class ListProvidersHandler implements IQueryHandler<ListProvidersQuery> {
  constructor(private readonly providers: ProviderRepository) {}

  async execute(): Promise<ProviderView[]> {
    return (await this.providers.list()).map((p) => ({
      id: p.id,
      name: p.name,
      url: p.url,
      mechanisms: p.mechanisms,
      boxPublicKey: p.boxPublicKey,
      signPublicKey: p.signPublicKey,
    }));
  }
}
