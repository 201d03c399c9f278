import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DomainError, ProviderAccessPoints } from '@ferry/contracts';
import { GatewayClient } from '../../gateway/gateway.client';
import { ProviderRepository, IdentityMappingRepository } from '../../persistence/repositories';
import { parseAccessPointsResponse } from '../access-points-response.schema';
import { ListAccessPointsQuery } from './list-access-points.query';

/**
 * GET /api/access-points: for every provider where the caller has an identity (the only places a
 * tunnel of hers may start or end), the gateway's access points with the peers its policy allows
 * and, for listeners, the targets. Gateways are asked in parallel; one that cannot be asked is listed
 * with its error instead of failing the whole answer.
 */
@QueryHandler(ListAccessPointsQuery)
export class ListAccessPointsHandler implements IQueryHandler<ListAccessPointsQuery> {
  constructor(
    private readonly identities: IdentityMappingRepository,
    private readonly providers: ProviderRepository,
    private readonly client: GatewayClient,
  ) {}

  async execute({ user }: ListAccessPointsQuery): Promise<ProviderAccessPoints[]> {
    const mapped = new Set((await this.identities.listForUser(user.id)).map((m) => m.providerId));
    const providers = (await this.providers.list()).filter((p) => mapped.has(p.id));
    return Promise.all(
      providers.map(async (p): Promise<ProviderAccessPoints> => {
        try {
          const r = parseAccessPointsResponse(p.id, await this.client.accessPoints(p));
          return { providerId: p.id, providerName: p.name, accessPoints: r.accessPoints, error: null };
        } catch (e) {
          if (!(e instanceof DomainError)) throw e;
          return { providerId: p.id, providerName: p.name, accessPoints: [], error: { code: e.code, message: e.message } };
        }
      }),
    );
  }
}
