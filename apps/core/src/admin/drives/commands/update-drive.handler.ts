import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { AdminDriveView, DomainError } from '@ferry/contracts';
import { auditEntry } from '../../../audit/audit-entry.util';
import { DriveRepository, ProviderRepository } from '../../../persistence/repositories';
import { toAclView } from '../../admin-view.mapper';
import { UpdateDriveCommand } from './update-drive.command';

/** Renames a drive or points it elsewhere; transfers already made keep what they were made with. */
@CommandHandler(UpdateDriveCommand)
export class UpdateDriveHandler implements ICommandHandler<UpdateDriveCommand> {
  constructor(
    private readonly drives: DriveRepository,
    private readonly providers: ProviderRepository,
  ) {}

  async execute({ actor, id, input }: UpdateDriveCommand): Promise<AdminDriveView> {
    if (input.provider && !(await this.providers.find(input.provider))) throw new DomainError('NOT_FOUND', `no provider ${input.provider}`);
    const audit = auditEntry(actor, 'drive.update', { target: `drive:${id}`, details: { ...input } });
    const d = await this.drives.update(id, { name: input.name, providerId: input.provider, gatewayDrive: input.gatewayDrive }, audit);
    if (!d) throw new DomainError('NOT_FOUND', `no drive ${id}`);
    const acl = (await this.drives.listAcl(id)).map(toAclView);
    return { id: d.id, name: d.name, providerId: d.providerId, gatewayDrive: d.gatewayDrive, acl };
  }
}
