import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { AdminProviderView, DomainError } from '@ferry/contracts';
import { auditEntry } from '../../../audit/audit-entry.util';
import { ProviderRepository } from '../../../persistence/repositories';
import { toProviderView } from '../../admin-view.mapper';
import { RegisterProviderCommand } from './register-provider.command';

/**
 * Registers a gateway. With both keys they are pinned; without, the registry fetches them from the
 * gateway's /.well-known/ferry-provider when first needed (or now: `refresh`, optionally pinning).
 */
@CommandHandler(RegisterProviderCommand)
export class RegisterProviderHandler implements ICommandHandler<RegisterProviderCommand> {
  constructor(private readonly providers: ProviderRepository) {}

  async execute({ actor, input }: RegisterProviderCommand): Promise<AdminProviderView> {
    const pinned = !!input.signPublicKey;
    const audit = auditEntry(actor, 'provider.register', {
      target: `provider:${input.id}`,
      details: { name: input.name, url: input.url, keysPinned: pinned, ...(pinned ? { signPublicKey: input.signPublicKey, boxPublicKey: input.boxPublicKey } : {}) },
    });
    const p = await this.providers.register(input, audit);
    if (!p) throw new DomainError('ALREADY_EXISTS', `provider ${input.id} already exists`);
    return toProviderView(p);
  }
}
