import { Injectable } from '@nestjs/common';
import { DomainError } from '@ferry/contracts';
import type { AuthUser } from '../auth/auth.decorators';
import type { DriveEntity, DrivePermission } from '../persistence/entities';
import { DriveRepository, IdentityMappingRepository } from '../persistence/repositories';

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
