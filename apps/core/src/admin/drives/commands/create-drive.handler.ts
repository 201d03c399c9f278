import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { AdminDriveView, DomainError } from '@ferry/contracts';
import { auditEntry } from '../../../audit/audit-entry.util';
import { DriveRepository, ProviderRepository } from '../../../persistence/repositories';
import { CreateDriveCommand } from './create-drive.command';

/** A drive = a folder a gateway exposes (`gatewayDrive`, the id in that gateway's config). No ACL yet. */
@CommandHandler(CreateDriveCommand)
export class CreateDriveHandler implements ICommandHandler<CreateDriveCommand> {
  constructor(
    private readonly drives: DriveRepository,
    private readonly providers: ProviderRepository,
  ) {}

  async execute({ actor, input }: CreateDriveCommand): Promise<AdminDriveView> {
    if (!(await this.providers.find(input.provider))) throw new DomainError('NOT_FOUND', `no provider ${input.provider}`);
    const audit = auditEntry(actor, 'drive.create', {
      target: `drive:${input.id}`,
      details: { name: input.name, provider: input.provider, gatewayDrive: input.gatewayDrive },
    });
    const d = await this.drives.create({ id: input.id, name: input.name, providerId: input.provider, gatewayDrive: input.gatewayDrive }, audit);
    if (!d) throw new DomainError('ALREADY_EXISTS', `drive ${input.id} already exists`);
    return { id: d.id, name: d.name, providerId: d.providerId, gatewayDrive: d.gatewayDrive, acl: [] };
  }
}
