import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { AdminProjectView } from '@ferry/contracts';
import { ProjectRepository } from '../../../persistence/repositories';
import { ListProjectsQuery } from './list-projects.query';

@QueryHandler(ListProjectsQuery)
export class ListProjectsHandler implements IQueryHandler<ListProjectsQuery> {
  constructor(private readonly projects: ProjectRepository) {}

  async execute(): Promise<AdminProjectView[]> {
    return (await this.projects.list()).map((p) => ({ name: p.name, members: p.members, createdAt: p.createdAt.toISOString() }));
  }
}
