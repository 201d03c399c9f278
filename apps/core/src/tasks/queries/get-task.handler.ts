import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DomainError, TaskView } from '@ferry/contracts';
import { TaskRepository } from '../../persistence/repositories';
import { toTaskView } from '../task-view.mapper';
import { GetTaskQuery } from './get-task.query';

@QueryHandler(GetTaskQuery)
export class GetTaskHandler implements IQueryHandler<GetTaskQuery> {
  constructor(private readonly tasks: TaskRepository) {}

  async execute({ user, taskId }: GetTaskQuery): Promise<TaskView> {
    const t = await this.tasks.findOwned(taskId, user.id);
    if (!t) throw new DomainError('NOT_FOUND', `no task ${taskId}`);
    return toTaskView(t);
  }
}
