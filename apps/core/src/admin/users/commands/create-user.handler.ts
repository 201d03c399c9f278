import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { AdminUserView, DomainError } from '@ferry/contracts';
import { auditEntry } from '../../../audit/audit-entry.util';
import { UserRepository } from '../../../persistence/repositories';
import { toUserView } from '../../admin-view.mapper';
import { CreateUserCommand } from './create-user.command';

/** A new user without tokens (`ferry admin tokens create` gives her one). 409 when the name is taken. */
@CommandHandler(CreateUserCommand)
export class CreateUserHandler implements ICommandHandler<CreateUserCommand> {
  constructor(private readonly users: UserRepository) {}

  async execute({ actor, input }: CreateUserCommand): Promise<AdminUserView> {
    const audit = auditEntry(actor, 'user.create', { target: `user:${input.name}`, details: { admin: input.admin } });
    const u = await this.users.create(input.name, input.admin, audit);
    if (!u) throw new DomainError('ALREADY_EXISTS', `user ${input.name} already exists`);
    return toUserView(u, 0);
  }
}
