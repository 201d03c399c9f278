import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DomainError, IdentityMappingView } from '@ferry/contracts';
import { auditEntry } from '../../../audit/audit-entry.util';
import { IdentityMappingRepository, ProviderRepository, UserRepository } from '../../../persistence/repositories';
import { SetMappingCommand } from './set-mapping.command';

/** Which account a user is at a provider (replaces an earlier mapping). */
@CommandHandler(SetMappingCommand)
export class SetMappingHandler implements ICommandHandler<SetMappingCommand> {
  constructor(
    private readonly mappings: IdentityMappingRepository,
    private readonly users: UserRepository,
    private readonly providers: ProviderRepository,
  ) {}

  async execute({ actor, input }: SetMappingCommand): Promise<IdentityMappingView> {
    const u = await this.users.findByName(input.user);
    if (!u) throw new DomainError('NOT_FOUND', `no user ${input.user}`);
    if (!(await this.providers.find(input.provider))) throw new DomainError('NOT_FOUND', `no provider ${input.provider}`);
    const audit = auditEntry(actor, 'mapping.set', { target: `user:${input.user}`, details: { provider: input.provider, identity: input.identity } });
    await this.mappings.upsert(u.id, input.provider, input.identity, audit);
    return { user: input.user, provider: input.provider, identity: input.identity };
  }
}
