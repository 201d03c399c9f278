import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { AccessPointDescriptor, AccessPointsResponse } from '@ferry/contracts';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config/gateway-config';
import { PluginHost } from '../../plugins/plugin-host.service';
import { PolicyService } from '../../policy/policy.service';
import { ListAccessPointsQuery } from './list-access-points.query';

/**
 * The access points of every mechanism that has them (the AccessPointDirectory ability), in config
 * order, each side with the peers the policy lets use it: an initiator side sends (outgoing rules),
 * a listener side receives (incoming rules). The gateway knows no mechanism by name here.
 */
@QueryHandler(ListAccessPointsQuery)
export class ListAccessPointsHandler implements IQueryHandler<ListAccessPointsQuery, AccessPointsResponse> {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly plugins: PluginHost,
    private readonly policy: PolicyService,
  ) {}

  async execute(): Promise<AccessPointsResponse> {
    const out: AccessPointDescriptor[] = [];
    for (const id of this.plugins.ids()) {
      const listed = await this.plugins.get(id)?.accessPoints();
      for (const ap of listed ?? []) {
        out.push({
          id: ap.id,
          mechanism: id,
          initiator: ap.initiator ? { ...ap.initiator, peers: this.policy.peers('source') } : null,
          listener: ap.listener ? { ...ap.listener, peers: this.policy.peers('destination') } : null,
        });
      }
    }
    return { providerId: this.config.id, accessPoints: out };
  }
}
