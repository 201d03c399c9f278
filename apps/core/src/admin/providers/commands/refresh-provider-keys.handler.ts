import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DomainError, ProviderRefreshView } from '@ferry/contracts';
import { auditEntry } from '../../../audit/audit-entry.util';
import { ProviderRegistry } from '../../../gateway/provider-registry.service';
import { ProviderRepository } from '../../../persistence/repositories';
import { toProviderView } from '../../admin-view.mapper';
import { RefreshProviderKeysCommand } from './refresh-provider-keys.command';

/**
 * Fetches the gateway's descriptor now. Fetched (unpinned) keys and the mechanisms are replaced;
 * pinned keys stay, and the answer says whether the gateway still publishes them; `pin` pins what it
 * publishes now (after a planned key rotation at the site). A gateway that cannot be reached or
 * publishes nonsense is 502 and nothing changes.
 */
@CommandHandler(RefreshProviderKeysCommand)
export class RefreshProviderKeysHandler implements ICommandHandler<RefreshProviderKeysCommand> {
  constructor(
    private readonly providers: ProviderRepository,
    private readonly registry: ProviderRegistry,
  ) {}

  async execute({ actor, id, pin }: RefreshProviderKeysCommand): Promise<ProviderRefreshView> {
    const before = await this.providers.find(id);
    if (!before) throw new DomainError('NOT_FOUND', `no provider ${id}`);
    const published = await this.registry.fetchDescriptor(before);
    const keysChanged = published.signPublicKey !== before.signPublicKey || published.boxPublicKey !== before.boxPublicKey;
    const audit = auditEntry(actor, 'provider.keys.refresh', {
      target: `provider:${id}`,
      details: { pin, keysChanged, signPublicKey: published.signPublicKey, boxPublicKey: published.boxPublicKey, mechanisms: published.mechanisms },
    });
    const after = await this.providers.saveDescriptor(id, published, audit, pin);
    if (!after) throw new DomainError('NOT_FOUND', `no provider ${id}`);
    return {
      provider: toProviderView(after),
      published,
      matchesPinned: before.keysPinned ? !keysChanged : null,
    };
  }
}
