import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DomainError, TunnelView } from '@ferry/contracts';
import { TaskEventRepository, TaskRepository, TransferRepository } from '../../persistence/repositories';
import { toTunnelView } from '../tunnel-view.mapper';
import { GetTunnelQuery } from './get-tunnel.query';

/** One of the caller's tunnels with its latest events; anyone else's (or a transfer) is NOT_FOUND. */
@QueryHandler(GetTunnelQuery)
export class GetTunnelHandler implements IQueryHandler<GetTunnelQuery> {
  constructor(
    private readonly transfers: TransferRepository,
    private readonly tasks: TaskRepository,
    private readonly events: TaskEventRepository,
  ) {}

  async execute({ user, tunnelId }: GetTunnelQuery): Promise<TunnelView> {
    const task = await this.tasks.findOwned(tunnelId, user.id);
    const x = task?.kind === 'tunnel' ? await this.transfers.find(tunnelId) : null;
    if (!task || !x?.tunnel) throw new DomainError('NOT_FOUND', `no tunnel ${tunnelId}`);
    return toTunnelView(x, task, await this.events.list(tunnelId));
  }
}
