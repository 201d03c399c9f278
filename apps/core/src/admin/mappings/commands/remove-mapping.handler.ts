import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '@ferry/contracts';
import { auditEntry } from '../../../audit/audit-entry.util';
import { IdentityMappingRepository, UserRepository } from '../../../persistence/repositories';
import { RemoveMappingCommand } from './remove-mapping.command';

/** Without a mapping the user can no longer browse or transfer at that provider (403 NO_IDENTITY_MAPPING). */
@CommandHandler(RemoveMappingCommand)
export class RemoveMappingHandler implements ICommandHandler<RemoveMappingCommand> {
  constructor(
    private readonly mappings: IdentityMappingRepository,
    private readonly users: UserRepository,
  ) {}

  async execute({ actor, user, provider }: RemoveMappingCommand): Promise<{ user: string; provider: string; removed: true }> {
    const u = await this.users.findByName(user);
    if (!u) throw new DomainError('NOT_FOUND', `no user ${user}`);
    const audit = auditEntry(actor, 'mapping.remove', { target: `user:${user}`, details: { provider } });
    if (!(await this.mappings.remove(u.id, provider, audit))) throw new DomainError('NOT_FOUND', `${user} has no mapping at ${provider}`);
    return { user, provider, removed: true };
  }
}
