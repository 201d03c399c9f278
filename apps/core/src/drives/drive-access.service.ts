import { Injectable } from '@nestjs/common';
import { DomainError } from '@ferry/contracts';
import type { AuthUser } from '../auth/auth.decorators';
import type { DriveEntity, DrivePermission } from '../persistence/entities';
import { DriveAccessRow, DriveRepository, IdentityMappingRepository } from '../persistence/repositories';

/** Who may do what on a drive, and as whom at its provider. */
@Injectable()
export class DriveAccess {
  constructor(
    private readonly drives: DriveRepository,
    private readonly identities: IdentityMappingRepository,
  ) {}

  /** The drive if the user holds `permission` on it (directly or through a project); else NOT_FOUND/FORBIDDEN. */
  async require(user: AuthUser, driveId: string, permission: DrivePermission, what = 'drive'): Promise<DriveEntity> {
    const drive = await this.drives.find(driveId);
    if (!drive) throw new DomainError('NOT_FOUND', `${what} ${driveId} does not exist`);
    const granted = await this.drives.permissions(user.id, driveId);
    if (!granted.includes(permission)) {
      throw new DomainError('FORBIDDEN', `${user.name} lacks ${permission} permission on ${what} ${driveId}`, {
        driveId,
        permission,
      });
    }
    return drive;
  }

  /**
   * Everything a transfer needs authorized, read in one query: READ on the source, WRITE on the
   * destination, and the user's identity at both providers. Errors come in the order the separate
   * checks gave them (source drive, destination drive, source identity, destination identity).
   */
  async authorizeTransfer(
    user: AuthUser,
    sourceDriveId: string,
    destinationDriveId: string,
  ): Promise<{ src: DriveEntity; dst: DriveEntity; srcIdentity: string; dstIdentity: string }> {
    const rows = await this.drives.accessFor(user.id, [sourceDriveId, destinationDriveId]);
    const src = this.check(user, rows.get(sourceDriveId), sourceDriveId, 'READ', 'source drive');
    const dst = this.check(user, rows.get(destinationDriveId), destinationDriveId, 'WRITE', 'destination drive');
    return { src: src.drive, dst: dst.drive, srcIdentity: this.identityOf(user, src), dstIdentity: this.identityOf(user, dst) };
  }

  private check(user: AuthUser, row: DriveAccessRow | undefined, driveId: string, permission: DrivePermission, what: string): DriveAccessRow {
    if (!row) throw new DomainError('NOT_FOUND', `${what} ${driveId} does not exist`);
    if (!row.permissions.includes(permission)) {
      throw new DomainError('FORBIDDEN', `${user.name} lacks ${permission} permission on ${what} ${driveId}`, { driveId, permission });
    }
    return row;
  }

  private identityOf(user: AuthUser, row: DriveAccessRow): string {
    if (row.identity === null) {
      throw new DomainError('NO_IDENTITY_MAPPING', `${user.name} has no identity mapped at provider ${row.drive.providerId}`, {
        providerId: row.drive.providerId,
      });
    }
    return row.identity;
  }

  /** The user's identity at the drive's provider, or NO_IDENTITY_MAPPING. */
  async identityAt(user: AuthUser, providerId: string): Promise<string> {
    const identity = await this.identities.find(user.id, providerId);
    if (!identity) {
      throw new DomainError('NO_IDENTITY_MAPPING', `${user.name} has no identity mapped at provider ${providerId}`, {
        providerId,
      });
    }
    return identity;
  }
}
