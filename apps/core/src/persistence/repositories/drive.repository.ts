import { Injectable } from '@nestjs/common';
import { Database } from '../database.service';
import { DriveEntity, DrivePermission } from '../entities';

export interface DriveWithAccess {
  drive: DriveEntity;
  providerName: string;
  /** effective permissions of the user (direct or through projects); ADMIN implies READ and WRITE */
  permissions: DrivePermission[];
}

const ORDER: DrivePermission[] = ['READ', 'WRITE', 'ADMIN'];

/** Effective permissions: ADMIN implies READ and WRITE. */
export function effectivePermissions(granted: Iterable<string>): DrivePermission[] {
  const set = new Set(granted);
  if (set.has('ADMIN')) set.add('READ').add('WRITE');
  return ORDER.filter((p) => set.has(p));
}

// every ACL row that applies to a user: her own, and her projects'
const USER_ACL = `
  SELECT a.drive_id, a.permission FROM drive_acl a WHERE a.user_id = $1
  UNION
  SELECT a.drive_id, a.permission FROM drive_acl a
    JOIN project_members m ON m.project_id = a.project_id WHERE m.user_id = $1`;

@Injectable()
export class DriveRepository {
  constructor(private readonly db: Database) {}

  async upsert(d: { id: string; name: string; providerId: string; gatewayDrive: string }): Promise<void> {
    await this.db.rows(
      `INSERT INTO drives (id, name, provider_id, gateway_drive) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, provider_id = EXCLUDED.provider_id,
         gateway_drive = EXCLUDED.gateway_drive`,
      [d.id, d.name, d.providerId, d.gatewayDrive],
    );
  }

  async grant(driveId: string, principal: { userId: string } | { projectId: string }, permission: DrivePermission): Promise<void> {
    const userId = 'userId' in principal ? principal.userId : null;
    const projectId = 'projectId' in principal ? principal.projectId : null;
    await this.db.rows(
      `INSERT INTO drive_acl (drive_id, user_id, project_id, permission) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
      [driveId, userId, projectId, permission],
    );
  }

  find(id: string): Promise<DriveEntity | null> {
    return this.db.entity(DriveEntity, `SELECT * FROM drives WHERE id = $1`, [id]);
  }

  async permissions(userId: string, driveId: string): Promise<DrivePermission[]> {
    const rows = await this.db.rows<{ permission: string }>(
      `SELECT permission FROM (${USER_ACL}) acl WHERE drive_id = $2`,
      [userId, driveId],
    );
    return effectivePermissions(rows.map((r) => r.permission));
  }

  /** Drives the user has any permission on, with the provider's name. */
  async listForUser(userId: string): Promise<DriveWithAccess[]> {
    const rows = await this.db.rows<Record<string, unknown>>(
      `SELECT d.id, d.name, d.provider_id, d.gateway_drive, p.name AS provider_name,
              array_agg(DISTINCT acl.permission) AS permissions
         FROM (${USER_ACL}) acl
         JOIN drives d ON d.id = acl.drive_id
         JOIN providers p ON p.id = d.provider_id
        GROUP BY d.id, d.name, d.provider_id, d.gateway_drive, p.name
        ORDER BY d.id`,
      [userId],
    );
    return rows.map((r) => {
      const drive = new DriveEntity();
      drive.id = r.id as string;
      drive.name = r.name as string;
      drive.providerId = r.provider_id as string;
      drive.gatewayDrive = r.gateway_drive as string;
      return { drive, providerName: r.provider_name as string, permissions: effectivePermissions(r.permissions as string[]) };
    });
  }
}
