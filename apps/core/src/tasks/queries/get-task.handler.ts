import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DomainError, TaskView } from '@ferry/contracts';
import { TaskEventRepository, TaskRepository } from '../../persistence/repositories';
import { toTunnelEvent } from '../../tunnels/tunnel-view.mapper';
import { toTaskView } from '../task-view.mapper';
import { GetTaskQuery } from './get-task.query';

/** One of the caller's tasks; a tunnel comes with its latest events (lists and streams leave them out). */
@QueryHandler(GetTaskQuery)
export class GetTaskHandler implements IQueryHandler<GetTaskQuery> {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly taskEvents: TaskEventRepository,
  ) {}

  async execute({ user, taskId }: GetTaskQuery): Promise<TaskView> {
    const t = await this.tasks.findOwned(taskId, user.id);
    if (!t) throw new DomainError('NOT_FOUND', `no task ${taskId}`);
    if (t.kind !== 'tunnel') return toTaskView(t);
    return { ...toTaskView(t), events: (await this.taskEvents.list(t.id)).map(toTunnelEvent) };
  }
}
