import { Injectable } from '@nestjs/common';
import type { Offer, TaskKind, TaskOperation, TransferOptions } from '@ferry/contracts';
import { AuditEntry, auditCte } from '../audit-sql.util';
import { Database } from '../database.service';
import { GatewayRole, Rejection, TaskEntity, TransferEntity, TunnelRecord } from '../entities';

export interface NewTransfer {
  id: string;
  ownerId: string;
  sourceDriveId: string;
  sourcePath: string;
  sourceProviderId: string;
  destinationDriveId: string;
  destinationPath: string;
  destinationProviderId: string;
  options: TransferOptions;
  userPublicKey: string;
  triggerDeadlineSeconds: number;
  kind: TaskKind;
  label: string | null;
  sourceLabel: string;
  destinationLabel: string;
  /** the core process that negotiates it: the task is created leased to it (see TaskRepository) */
  lease?: { owner: string; ms: number };
  /** tunnels only (kind 'tunnel'): both access points, target, lifetime */
  tunnel?: TunnelRecord | null;
}

/**
 * The negotiation side of the transfer aggregate (table transfers), plus the few writes that must
 * change transfers and tasks together; those are single statements with data-modifying CTEs, and
 * the task's state condition decides whether anything is written at all.
 */
@Injectable()
export class TransferRepository {
  constructor(private readonly db: Database) {}

  /**
   * Inserts the transfer and its task (state NEGOTIATING, leased to the negotiating process, so that
   * another replica resumes the negotiation if that process dies), and the audit entry when given, in
   * one statement. Deadline and lease from the DB clock.
   */
  async create(t: NewTransfer, audit?: AuditEntry): Promise<{ transfer: TransferEntity; task: TaskEntity }> {
    const a = audit ? auditCte('tr', audit, 19) : null;
    // the task row plus the two values of the transfer row the database made (deadline, creation
    // time): the rest of the transfer is what was just inserted, so it is not read back
    const [row] = await this.db.rows(
      `WITH tr AS (
         INSERT INTO transfers (id, owner_id, source_drive_id, source_path, source_provider_id,
           destination_drive_id, destination_path, destination_provider_id, options, user_public_key, trigger_deadline, tunnel)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now() + make_interval(secs => $11), $18)
         RETURNING id, owner_id, source_provider_id, destination_provider_id, trigger_deadline, created_at)${a ? `, ${a.cte}` : ''},
       tk AS (
         INSERT INTO tasks (id, kind, owner_id, state, label, source_provider_id, destination_provider_id,
           source_label, destination_label, lease_owner, lease_until)
         SELECT id, $12, owner_id, 'NEGOTIATING', $13, source_provider_id, destination_provider_id, $14, $15,
                $16::text, now() + make_interval(secs => $17::double precision / 1000) FROM tr
         RETURNING *)
       SELECT tk.*, tr.trigger_deadline AS transfer_trigger_deadline, tr.created_at AS transfer_created_at FROM tk, tr`,
      [
        t.id,
        t.ownerId,
        t.sourceDriveId,
        t.sourcePath,
        t.sourceProviderId,
        t.destinationDriveId,
        t.destinationPath,
        t.destinationProviderId,
        JSON.stringify(t.options),
        t.userPublicKey,
        t.triggerDeadlineSeconds,
        t.kind,
        t.label,
        t.sourceLabel,
        t.destinationLabel,
        t.lease?.owner ?? null,
        t.lease?.ms ?? null,
        t.tunnel ? JSON.stringify(t.tunnel) : null,
        ...(a?.params ?? []),
      ],
    );
    const task = this.db.toEntity(TaskEntity, row);
    const transfer = this.db.toEntity(TransferEntity, {
      id: t.id,
      owner_id: t.ownerId,
      source_drive_id: t.sourceDriveId,
      source_path: t.sourcePath,
      source_provider_id: t.sourceProviderId,
      destination_drive_id: t.destinationDriveId,
      destination_path: t.destinationPath,
      destination_provider_id: t.destinationProviderId,
      options: t.options,
      user_public_key: t.userPublicKey,
      mechanism: null,
      offers: [],
      trigger_deadline: row.transfer_trigger_deadline,
      rejection: null,
      triggered_at: null,
      created_at: row.transfer_created_at,
      tunnel: t.tunnel ?? null,
    });
    return { transfer, task };
  }

  find(id: string): Promise<TransferEntity | null> {
    return this.db.entity(TransferEntity, `SELECT * FROM transfers WHERE id = $1`, [id]);
  }

  /** Several at once (e.g. the transfers behind one page of tasks), in no particular order. */
  findMany(ids: string[]): Promise<TransferEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.db.entities(TransferEntity, `SELECT * FROM transfers WHERE id = ANY($1::uuid[])`, [ids]);
  }

  /**
   * NEGOTIATING -> AWAITING_TRIGGER with the offers stored and the negotiation's lease dropped; null
   * when the task was no longer negotiating (another replica finished the negotiation first).
   */
  recordOffers(id: string, offers: Offer[], mechanism: string, operations: TaskOperation[]): Promise<TaskEntity | null> {
    return this.db.entity(
      TaskEntity,
      `WITH tk AS (
         UPDATE tasks SET state = 'AWAITING_TRIGGER', mechanism = $3, operations = $4, updated_at = now(),
                lease_owner = NULL, lease_until = NULL
          WHERE id = $1 AND state = 'NEGOTIATING' RETURNING *),
       tr AS (UPDATE transfers SET offers = $2, mechanism = $3 WHERE id IN (SELECT id FROM tk) RETURNING id)
       SELECT * FROM tk`,
      [id, JSON.stringify(offers), mechanism, operations],
    );
  }

  /**
   * NEGOTIATING -> REJECTED (a gateway refused) or FAILED (a gateway failed), with the gateways
   * that already prepared queued for finalize 'failed'.
   */
  endNegotiation(
    id: string,
    state: 'REJECTED' | 'FAILED',
    error: { code: string; message: string },
    rejection: Rejection | null,
    preparedRoles: GatewayRole[],
  ): Promise<TaskEntity | null> {
    return this.db.entity(
      TaskEntity,
      `WITH tk AS (
         UPDATE tasks SET state = $2, error = $3, updated_at = now(), finished_at = now(), lease_owner = NULL, lease_until = NULL,
                cleanup_outcome = CASE WHEN cardinality($5::text[]) > 0 THEN 'failed' END, cleanup_roles = $5
          WHERE id = $1 AND state = 'NEGOTIATING' RETURNING *),
       tr AS (UPDATE transfers SET rejection = $4 WHERE id IN (SELECT id FROM tk) RETURNING id)
       SELECT * FROM tk`,
      [id, state, JSON.stringify(error), rejection ? JSON.stringify(rejection) : null, preparedRoles],
    );
  }

  /**
   * Records that the gateways accepted the researcher's relayed triggers, with the audit entry of
   * who triggered, in one statement (each successful relay is audited once: the relay holds the
   * task's lease and only happens while AWAITING_TRIGGER).
   */
  async recordTrigger(id: string, audit: AuditEntry): Promise<void> {
    const a = auditCte('tr', audit, 2);
    await this.db.rows(
      `WITH tr AS (UPDATE transfers SET triggered_at = COALESCE(triggered_at, now()) WHERE id = $1 RETURNING id), ${a.cte}
       SELECT id FROM tr`,
      [id, ...a.params],
    );
  }

  /** markTriggered for several transfers in one statement (a progress batch's first reports). */
  async markTriggeredMany(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.rows(`UPDATE transfers SET triggered_at = COALESCE(triggered_at, now()) WHERE id = ANY($1::uuid[])`, [ids]);
  }

  /** Records that the gateways accepted the researcher's triggers (first time only). */
  async markTriggered(id: string): Promise<void> {
    await this.db.rows(`UPDATE transfers SET triggered_at = COALESCE(triggered_at, now()) WHERE id = $1`, [id]);
  }
}
