import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { AdminProviderView, DomainError } from '@ferry/contracts';
import { auditEntry } from '../../../audit/audit-entry.util';
import { ProviderRepository } from '../../../persistence/repositories';
import { toProviderView } from '../../admin-view.mapper';
import { ChangeProviderKeysCommand } from './change-provider-keys.command';

/**
 * Pinned keys are what the core verifies the gateway's signatures with and what researchers are
 * told to seal triggers to, whatever the gateway publishes. Public keys: safe in the audit log.
 */
@CommandHandler(ChangeProviderKeysCommand)
export class ChangeProviderKeysHandler implements ICommandHandler<ChangeProviderKeysCommand> {
  constructor(private readonly providers: ProviderRepository) {}

  async execute({ actor, id, keys }: ChangeProviderKeysCommand): Promise<AdminProviderView> {
    const p = keys
      ? await this.providers.pinKeys(id, keys, auditEntry(actor, 'provider.keys.pin', { target: `provider:${id}`, details: { ...keys } }))
      : await this.providers.unpinKeys(id, auditEntry(actor, 'provider.keys.unpin', { target: `provider:${id}` }));
    if (!p) throw new DomainError('NOT_FOUND', `no provider ${id}`);
    return toProviderView(p);
  }
}
