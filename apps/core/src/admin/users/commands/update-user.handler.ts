import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { AdminUserView, DomainError } from '@ferry/contracts';
import { auditEntry } from '../../../audit/audit-entry.util';
import { UserRepository } from '../../../persistence/repositories';
import { toUserView } from '../../admin-view.mapper';
import { UpdateUserCommand } from './update-user.command';

/**
 * Sets a user's admin flag and/or disables (enables) her. An admin cannot demote or disable
 * herself, so the last admin cannot lock everyone out by accident; another admin can.
 */
@CommandHandler(UpdateUserCommand)
export class UpdateUserHandler implements ICommandHandler<UpdateUserCommand> {
  constructor(private readonly users: UserRepository) {}

  async execute({ actor, name, input }: UpdateUserCommand): Promise<AdminUserView> {
    if (name === actor.name && (input.admin === false || input.disabled === true)) {
      throw new DomainError('INVALID_STATE', 'you cannot remove your own admin flag or disable yourself; ask another admin');
    }
    const audit = auditEntry(actor, 'user.update', { target: `user:${name}`, details: { ...input } });
    const u = await this.users.update(name, input, audit);
    if (!u) throw new DomainError('NOT_FOUND', `no user ${name}`);
    const listed = (await this.users.list()).find((x) => x.id === u.id);
    return toUserView(u, listed?.activeTokens ?? 0);
  }
}
