import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { AdminProviderView, DomainError } from '@ferry/contracts';
import { auditEntry } from '../../../audit/audit-entry.util';
import { ProviderRepository } from '../../../persistence/repositories';
import { toProviderView } from '../../admin-view.mapper';
import { UpdateProviderCommand } from './update-provider.command';

/** Renames a provider or moves it to a new URL (fetched keys are then fetched again from there). */
@CommandHandler(UpdateProviderCommand)
export class UpdateProviderHandler implements ICommandHandler<UpdateProviderCommand> {
  constructor(private readonly providers: ProviderRepository) {}

  async execute({ actor, id, input }: UpdateProviderCommand): Promise<AdminProviderView> {
    const audit = auditEntry(actor, 'provider.update', { target: `provider:${id}`, details: { ...input } });
    const p = await this.providers.update(id, input, audit);
    if (!p) throw new DomainError('NOT_FOUND', `no provider ${id}`);
    return toProviderView(p);
  }
}
