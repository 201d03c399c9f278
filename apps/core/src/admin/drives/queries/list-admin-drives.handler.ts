import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { AdminDriveView } from '@ferry/contracts';
import { DriveRepository } from '../../../persistence/repositories';
import { toAclView } from '../../admin-view.mapper';
import { ListAdminDrivesQuery } from './list-admin-drives.query';

/** Every drive with its whole ACL (two queries, whatever the number of drives). */
@QueryHandler(ListAdminDrivesQuery)
export class ListAdminDrivesHandler implements IQueryHandler<ListAdminDrivesQuery> {
  constructor(private readonly drives: DriveRepository) {}

  async execute(): Promise<AdminDriveView[]> {
    const [drives, acl] = [await this.drives.listAll(), await this.drives.listAcl()];
    return drives.map((d) => ({
      id: d.id,
      name: d.name,
      providerId: d.providerId,
      gatewayDrive: d.gatewayDrive,
      acl: acl.filter((a) => a.driveId === d.id).map(toAclView),
    }));
  }
}
