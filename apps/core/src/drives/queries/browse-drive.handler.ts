import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DomainError, FileEntry, FileListing, normalizeDrivePath } from '@ferry/contracts';
import { z } from 'zod';
import { GatewayClient } from '../../gateway/gateway.client';
import { ProviderRegistry } from '../../gateway/provider-registry.service';
import { DriveAccess } from '../drive-access.service';
import { BrowseDriveQuery } from './browse-drive.query';

const entry = z.object({
  name: z.string(),
  type: z.enum(['file', 'dir', 'symlink', 'other']),
  size: z.number().nonnegative(),
  modified: z.string(),
});
/** Gateways answer browse with { entries } (a FileListing-like object) or a bare array of entries. */
const answer = z.union([z.object({ entries: z.array(entry) }).passthrough(), z.array(entry)]);

/** GET /api/drives/{id}/files?path=: READ required; listed by the drive's gateway as the user's mapped identity. */
@QueryHandler(BrowseDriveQuery)
export class BrowseDriveHandler implements IQueryHandler<BrowseDriveQuery> {
  constructor(
    private readonly access: DriveAccess,
    private readonly registry: ProviderRegistry,
    private readonly client: GatewayClient,
  ) {}

  async execute({ user, driveId, path }: BrowseDriveQuery): Promise<FileListing> {
    const clean = normalizeDrivePath(path ?? '', 'path');
    const drive = await this.access.require(user, driveId, 'READ');
    const identity = await this.access.identityAt(user, drive.providerId);
    const gw = await this.registry.resolve(drive.providerId);
    const raw = await this.client.browse(gw, { identity, drive: drive.gatewayDrive, path: clean });
    const parsed = answer.safeParse(raw);
    if (!parsed.success) {
      throw new DomainError('PROVIDER_UNAVAILABLE', `provider ${gw.id} answered browse with an invalid listing`, {
        providerId: gw.id,
      });
    }
    const entries: FileEntry[] = Array.isArray(parsed.data) ? parsed.data : parsed.data.entries;
    return { driveId: drive.id, path: clean, entries };
  }
}
