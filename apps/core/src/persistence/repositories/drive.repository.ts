import { Injectable } from '@nestjs/common';
import { AuditEntry, withAudit } from '../audit-sql.util';
import { Database } from '../database.service';
import { DriveEntity, DrivePermission } from '../entities';

/** A principal of an ACL entry: a user or a project. */
export type AclPrincipal = { userId: string } | { projectId: string };

/** An ACL row with names instead of ids. */
export interface AclRow {
  driveId: string;
  userName: string | null;
  projectName: string | null;
  permission: DrivePermission;
}

export interface DriveWithAccess {
  drive: DriveEntity;
  providerName: string;
  /** effective permissions of the user (direct or through projects); ADMIN implies READ and WRITE */
  permissions: DrivePermission[];
}

/** One drive as a user may use it: her effective permissions and her identity at its provider. */
export interface DriveAccessRow {
  drive: DriveEntity;
  permissions: DrivePermission[];
  /** the user's identity at the drive's provider; null when she has none mapped there */
  identity: string | null;
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

  /** Seed: adds an ACL entry (no-op when it is there already). */
  async grant(driveId: string, principal: AclPrincipal, permission: DrivePermission): Promise<void> {
    await this.grantMany(driveId, principal, [permission]);
  }

  /** Adds several permissions for one principal in one statement; how many were new. */
  async grantMany(driveId: string, principal: AclPrincipal, permissions: DrivePermission[], audit?: AuditEntry): Promise<number> {
    const userId = 'userId' in principal ? principal.userId : null;
    const projectId = 'projectId' in principal ? principal.projectId : null;
    const q = withAudit(
      `INSERT INTO drive_acl (drive_id, user_id, project_id, permission)
       SELECT $1, $2::uuid, $3::uuid, p FROM unnest($4::text[]) AS p ON CONFLICT DO NOTHING RETURNING id`,
      [driveId, userId, projectId, permissions],
      audit,
    );
    return (await this.db.rows(q.sql, q.params)).length;
  }

  /** Removes several permissions of one principal in one statement; how many there were. */
  async revokeMany(driveId: string, principal: AclPrincipal, permissions: DrivePermission[], audit?: AuditEntry): Promise<number> {
    const [col, id] = 'userId' in principal ? ['user_id', principal.userId] : ['project_id', principal.projectId];
    const q = withAudit(
      `DELETE FROM drive_acl WHERE drive_id = $1 AND ${col} = $2 AND permission = ANY($3::text[]) RETURNING id`,
      [driveId, id, permissions],
      audit,
    );
    return (await this.db.rows(q.sql, q.params)).length;
  }

  // ---- admin API ----

  /** A new drive, or null when the id is taken. */
  create(d: { id: string; name: string; providerId: string; gatewayDrive: string }, audit?: AuditEntry): Promise<DriveEntity | null> {
    const q = withAudit(
      `INSERT INTO drives (id, name, provider_id, gateway_drive) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING RETURNING *`,
      [d.id, d.name, d.providerId, d.gatewayDrive],
      audit,
    );
    return this.db.entity(DriveEntity, q.sql, q.params);
  }

  /** Changes the given fields; null when there is no such drive. */
  update(id: string, patch: { name?: string; providerId?: string; gatewayDrive?: string }, audit?: AuditEntry): Promise<DriveEntity | null> {
    const q = withAudit(
      `UPDATE drives SET name = COALESCE($2, name), provider_id = COALESCE($3, provider_id), gateway_drive = COALESCE($4, gateway_drive)
        WHERE id = $1 RETURNING *`,
      [id, patch.name ?? null, patch.providerId ?? null, patch.gatewayDrive ?? null],
      audit,
    );
    return this.db.entity(DriveEntity, q.sql, q.params);
  }

  /** Deletes the drive and its ACL (transfers keep their own copy of what they need); null when absent. */
  delete(id: string, audit?: AuditEntry): Promise<DriveEntity | null> {
    const q = withAudit(`DELETE FROM drives WHERE id = $1 RETURNING *`, [id], audit);
    return this.db.entity(DriveEntity, q.sql, q.params);
  }

  listAll(): Promise<DriveEntity[]> {
    return this.db.entities(DriveEntity, `SELECT * FROM drives ORDER BY id`);
  }

  /** ACL entries of one drive or of all, with principal names. */
  async listAcl(driveId?: string): Promise<AclRow[]> {
    const rows = await this.db.rows<Record<string, string | null>>(
      `SELECT a.drive_id, u.name AS user_name, p.name AS project_name, a.permission
         FROM drive_acl a LEFT JOIN users u ON u.id = a.user_id LEFT JOIN projects p ON p.id = a.project_id
        WHERE ($1::text IS NULL OR a.drive_id = $1)
        ORDER BY a.drive_id, u.name NULLS LAST, p.name, array_position(ARRAY['READ','WRITE','ADMIN'], a.permission)`,
      [driveId ?? null],
    );
    return rows.map((r) => ({
      driveId: r.drive_id!,
      userName: r.user_name,
      projectName: r.project_name,
      permission: r.permission as DrivePermission,
    }));
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

  /**
   * The given drives (those that exist) with the user's effective permissions and identity at each
   * drive's provider, in one statement: what authorizing a transfer needs (it used to take six).
   */
  async accessFor(userId: string, driveIds: string[]): Promise<Map<string, DriveAccessRow>> {
    const rows = await this.db.rows<Record<string, unknown>>(
      `SELECT d.id, d.name, d.provider_id, d.gateway_drive,
              (SELECT array_agg(DISTINCT acl.permission) FROM (${USER_ACL}) acl WHERE acl.drive_id = d.id) AS permissions,
              (SELECT m.identity FROM identity_mappings m WHERE m.user_id = $1 AND m.provider_id = d.provider_id) AS identity
         FROM drives d WHERE d.id = ANY($2::text[])`,
      [userId, driveIds],
    );
    return new Map(
      rows.map((r) => {
        const drive = this.db.toEntity(DriveEntity, r);
        const permissions = effectivePermissions((r.permissions as string[] | null) ?? []);
        return [drive.id, { drive, permissions, identity: (r.identity as string | null) ?? null }];
      }),
    );
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
