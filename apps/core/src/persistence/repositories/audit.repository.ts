import { Injectable } from '@nestjs/common';
import type { AuditAction } from '@ferry/contracts';
import { AuditEntry, withAudit } from '../audit-sql.util';
import { Database } from '../database.service';
import { AuditLogEntity } from '../entities';

export interface AuditPageQuery {
  actorName?: string;
  taskId?: string;
  action?: AuditAction;
  since?: Date;
  limit: number;
  /** the last id of the previous page */
  beforeId?: number;
}

/** An audit entry with its actor's name resolved. */
export type AuditRow = AuditLogEntity & { actorName: string | null };

/**
 * The audit log. Entries are normally written by the other repositories in the statement that makes
 * the change (auditCte / withAudit); `record` is for actions whose change is not one row of ours
 * (a pause the gateway already confirmed through a report).
 */
@Injectable()
export class AuditRepository {
  constructor(private readonly db: Database) {}

  async record(entry: AuditEntry): Promise<void> {
    const { sql, params } = withAudit(`SELECT 1 AS one`, [], entry);
    await this.db.rows(sql, params);
  }

  /** Newest first, keyset-paged over id. */
  async page(q: AuditPageQuery): Promise<AuditRow[]> {
    const params: unknown[] = [q.limit];
    const where: string[] = [];
    const add = (cond: (p: string) => string, v: unknown) => {
      params.push(v);
      where.push(cond(`$${params.length}`));
    };
    if (q.actorName !== undefined) add((p) => `a.actor_id = (SELECT id FROM users WHERE name = ${p})`, q.actorName);
    if (q.taskId) add((p) => `a.task_id = ${p}::uuid`, q.taskId);
    if (q.action) add((p) => `a.action = ${p}`, q.action);
    if (q.since) add((p) => `a.at >= ${p}`, q.since);
    if (q.beforeId !== undefined) add((p) => `a.id < ${p}`, q.beforeId);
    const rows = await this.db.rows(
      `SELECT a.*, u.name AS actor_name FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY a.id DESC LIMIT $1`,
      params,
    );
    return rows.map((r) => Object.assign(this.db.toEntity(AuditLogEntity, r), { actorName: (r.actor_name as string | null) ?? null }));
  }
}
