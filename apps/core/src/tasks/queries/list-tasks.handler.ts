import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Page, TaskView } from '@ferry/contracts';
import { TaskRepository } from '../../persistence/repositories';
import { decodeCursor, encodeCursor } from '../task-cursor.util';
import { toTaskView } from '../task-view.mapper';
import { ListTasksQuery } from './list-tasks.query';

@QueryHandler(ListTasksQuery)
export class ListTasksHandler implements IQueryHandler<ListTasksQuery> {
  constructor(private readonly tasks: TaskRepository) {}

  async execute({ user, filter }: ListTasksQuery): Promise<Page<TaskView>> {
    const limit = filter.limit ?? 50;
    // one extra row tells whether there is a next page without a count query
    const rows = await this.tasks.page({
      ownerId: user.id,
      states: filter.states,
      kind: filter.kind,
      limit: limit + 1,
      after: filter.cursor ? decodeCursor(filter.cursor) : undefined,
    });
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map(toTaskView),
      nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null,
    };
  }
}
