import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Page, TunnelView } from '@ferry/contracts';
import { TaskRepository, TransferRepository } from '../../persistence/repositories';
import { decodeCursor, encodeCursor } from '../../tasks/task-cursor.util';
import { toTunnelView } from '../tunnel-view.mapper';
import { ListTunnelsQuery } from './list-tunnels.query';

/** The caller's tunnels, newest first, keyset-paged like GET /api/tasks (events only in GET /api/tunnels/{id}). */
@QueryHandler(ListTunnelsQuery)
export class ListTunnelsHandler implements IQueryHandler<ListTunnelsQuery> {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly transfers: TransferRepository,
  ) {}

  async execute({ user, filter }: ListTunnelsQuery): Promise<Page<TunnelView>> {
    const limit = filter.limit ?? 50;
    const rows = await this.tasks.page({
      ownerId: user.id,
      states: filter.states,
      kind: 'tunnel',
      limit: limit + 1,
      after: filter.cursor ? decodeCursor(filter.cursor) : undefined,
    });
    const items = rows.slice(0, limit);
    const byId = new Map((await this.transfers.findMany(items.map((t) => t.id))).map((x) => [x.id, x]));
    const last = items[items.length - 1];
    return {
      items: items.flatMap((t) => {
        const x = byId.get(t.id);
        return x?.tunnel ? [toTunnelView(x, t)] : [];
      }),
      nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null,
    };
  }
}
