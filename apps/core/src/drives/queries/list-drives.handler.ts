import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { DriveView } from '@ferry/contracts';
import { DriveRepository } from '../../persistence/repositories';
import { ListDrivesQuery } from './list-drives.query';

/** Drives the caller can READ or WRITE, with her effective permissions. */
@QueryHandler(ListDrivesQuery)
export class ListDrivesHandler implements IQueryHandler<ListDrivesQuery> {
  constructor(private readonly drives: DriveRepository) {}

  async execute({ user }: ListDrivesQuery): Promise<DriveView[]> {
    const rows = await this.drives.listForUser(user.id);
    return rows
      .filter((r) => r.permissions.includes('READ') || r.permissions.includes('WRITE'))
      .map((r) => ({
        id: r.drive.id,
        name: r.drive.name,
        providerId: r.drive.providerId,
        providerName: r.providerName,
        permissions: r.permissions,
      }));
  }
}
