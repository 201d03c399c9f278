import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { AdminProjectView, DomainError } from '@ferry/contracts';
import { auditEntry } from '../../../audit/audit-entry.util';
import { ProjectRepository, UserRepository } from '../../../persistence/repositories';
import { ChangeProjectMemberCommand } from './change-project-member.command';

/**
 * Project membership: members get the project's drive permissions. Adding a member twice changes
 * nothing (and is not audited again); removing a non-member is 404.
 */
@CommandHandler(ChangeProjectMemberCommand)
export class ChangeProjectMemberHandler implements ICommandHandler<ChangeProjectMemberCommand> {
  constructor(
    private readonly projects: ProjectRepository,
    private readonly users: UserRepository,
  ) {}

  async execute({ actor, change, project, user }: ChangeProjectMemberCommand): Promise<AdminProjectView> {
    const p = await this.projects.findByName(project);
    if (!p) throw new DomainError('NOT_FOUND', `no project ${project}`);
    const u = await this.users.findByName(user);
    if (!u) throw new DomainError('NOT_FOUND', `no user ${user}`);
    const audit = auditEntry(actor, change === 'add' ? 'project.member.add' : 'project.member.remove', {
      target: `project:${project}`,
      details: { user },
    });
    if (change === 'add') await this.projects.addMember(p.id, u.id, audit);
    else if (!(await this.projects.removeMember(p.id, u.id, audit))) {
      throw new DomainError('NOT_FOUND', `${user} is not a member of ${project}`);
    }
    const listed = (await this.projects.list()).find((x) => x.id === p.id)!;
    return { name: listed.name, members: listed.members, createdAt: listed.createdAt.toISOString() };
  }
}
