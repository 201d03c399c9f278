import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { AdminProjectView, DomainError } from '@ferry/contracts';
import { auditEntry } from '../../../audit/audit-entry.util';
import { ProjectRepository } from '../../../persistence/repositories';
import { CreateProjectCommand } from './create-project.command';

@CommandHandler(CreateProjectCommand)
export class CreateProjectHandler implements ICommandHandler<CreateProjectCommand> {
  constructor(private readonly projects: ProjectRepository) {}

  async execute({ actor, name }: CreateProjectCommand): Promise<AdminProjectView> {
    const p = await this.projects.create(name, auditEntry(actor, 'project.create', { target: `project:${name}` }));
    if (!p) throw new DomainError('ALREADY_EXISTS', `project ${name} already exists`);
    return { name: p.name, members: [], createdAt: p.createdAt.toISOString() };
  }
}
