import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { AclEntryView, DomainError } from '@ferry/contracts';
import { auditEntry } from '../../../audit/audit-entry.util';
import { AclPrincipal, DriveRepository, ProjectRepository, UserRepository } from '../../../persistence/repositories';
import { toAclView } from '../../admin-view.mapper';
import { ChangeAclCommand } from './change-acl.command';

/**
 * All permissions of one request change in one statement (never half of them). Granting what is
 * there already changes nothing; revoking what is not there is 404.
 */
@CommandHandler(ChangeAclCommand)
export class ChangeAclHandler implements ICommandHandler<ChangeAclCommand> {
  constructor(
    private readonly drives: DriveRepository,
    private readonly users: UserRepository,
    private readonly projects: ProjectRepository,
  ) {}

  async execute({ actor, change, input }: ChangeAclCommand): Promise<AclEntryView[]> {
    if (!(await this.drives.find(input.drive))) throw new DomainError('NOT_FOUND', `no drive ${input.drive}`);
    const principal = await this.principal(input.user, input.project);
    const who = input.user ? { user: input.user } : { project: input.project };
    const audit = auditEntry(actor, change === 'grant' ? 'acl.grant' : 'acl.revoke', {
      target: `drive:${input.drive}`,
      details: { ...who, permissions: input.permissions },
    });
    if (change === 'grant') await this.drives.grantMany(input.drive, principal, input.permissions, audit);
    else if ((await this.drives.revokeMany(input.drive, principal, input.permissions, audit)) === 0) {
      throw new DomainError('NOT_FOUND', `no such ACL entry on ${input.drive}`);
    }
    return (await this.drives.listAcl(input.drive)).map(toAclView);
  }

  private async principal(user?: string, project?: string): Promise<AclPrincipal> {
    if (user) {
      const u = await this.users.findByName(user);
      if (!u) throw new DomainError('NOT_FOUND', `no user ${user}`);
      return { userId: u.id };
    }
    const p = await this.projects.findByName(project!);
    if (!p) throw new DomainError('NOT_FOUND', `no project ${project}`);
    return { projectId: p.id };
  }
}
