import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { AdminDriveView, DomainError } from '@ferry/contracts';
import { auditEntry } from '../../../audit/audit-entry.util';
import { DriveRepository } from '../../../persistence/repositories';
import { toAclView } from '../../admin-view.mapper';
import { DeleteDriveCommand } from './delete-drive.command';

/**
 * Deletes a drive and its ACL entries; answers with the drive as it was (ACL included, so an
 * accidental delete can be undone by hand). Tasks that used it keep running: they carry their own
 * provider ids and paths.
 */
@CommandHandler(DeleteDriveCommand)
export class DeleteDriveHandler implements ICommandHandler<DeleteDriveCommand> {
  constructor(private readonly drives: DriveRepository) {}

  async execute({ actor, id }: DeleteDriveCommand): Promise<AdminDriveView> {
    const acl = (await this.drives.listAcl(id)).map(toAclView);
    const audit = auditEntry(actor, 'drive.delete', { target: `drive:${id}`, details: { acl } });
    const d = await this.drives.delete(id, audit);
    if (!d) throw new DomainError('NOT_FOUND', `no drive ${id}`);
    return { id: d.id, name: d.name, providerId: d.providerId, gatewayDrive: d.gatewayDrive, acl };
  }
}
