import { Injectable } from '@nestjs/common';
import { END_STATES, TaskKind, TaskState } from '@ferry/contracts';
import { AuditEntry, withAudit } from '../audit-sql.util';
import { Database } from '../database.service';
import { GatewayRole, TaskEntity } from '../entities';
import { STALE_CHECK_STATES } from '../../tasks/task-state';

/** Columns a transition may set besides the state. */
export type TaskPatch = Partial<
  Pick<
    TaskEntity,
    | 'bytesDone'
    | 'bytesTotal'
    | 'filesDone'
    | 'filesTotal'
    | 'rate'
    | 'eta'
    | 'message'
    | 'error'
    | 'tunnel'
    | 'manifest'
    | 'cleanupOutcome'
    | 'cleanupRoles'
  >
>;

export interface TaskPageQuery {
  ownerId: string;
  states?: TaskState[];
  kind?: TaskKind;
  limit: number;
  after?: { createdAt: Date; id: string };
}

/** How many tasks are in each (kind, state, mechanism): the metrics' gauges. */
export interface TaskCount {
  kind: TaskKind;
  state: TaskState;
  mechanism: string | null;
  count: number;
}

/** A report that was applied, with bytes_done as it was just before (for the bytes-moved counter). */
export interface AppliedReport {
  task: TaskEntity;
  previousBytesDone: number;
}

const SEQ_COLUMN: Record<GatewayRole, string> = { source: 'last_seq_source', destination: 'last_seq_destination' };

/** One report of a batch for applyReports: the same arguments as applyReport's. */
export interface ReportWrite {
  id: string;
  role: GatewayRole;
  seq: number;
  from: readonly TaskState[];
  to: TaskState | null;
  patch: TaskPatch;
}

/**
 * How applyReports sets each TaskPatch column from the report's JSON patch `v` (r.p -> 'prop'):
 * a property missing from the patch keeps the column (SQL NULL from ->), JSON null stores NULL.
 */
const PATCH_SQL: Record<keyof TaskPatch, { column: string; value: (v: string) => string }> = {
  bytesDone: { column: 'bytes_done', value: (v) => `(${v} #>> '{}')::bigint` },
  bytesTotal: { column: 'bytes_total', value: (v) => `(${v} #>> '{}')::bigint` },
  filesDone: { column: 'files_done', value: (v) => `(${v} #>> '{}')::bigint` },
  filesTotal: { column: 'files_total', value: (v) => `(${v} #>> '{}')::bigint` },
  rate: { column: 'rate', value: (v) => `(${v} #>> '{}')::double precision` },
  eta: { column: 'eta', value: (v) => `(${v} #>> '{}')::double precision` },
  message: { column: 'message', value: (v) => `${v} #>> '{}'` },
  error: { column: 'error', value: (v) => `NULLIF(${v}, 'null'::jsonb)` },
  tunnel: { column: 'tunnel', value: (v) => `NULLIF(${v}, 'null'::jsonb)` },
  manifest: { column: 'manifest', value: (v) => `NULLIF(${v}, 'null'::jsonb)` },
  cleanupOutcome: { column: 'cleanup_outcome', value: (v) => `${v} #>> '{}'` },
  cleanupRoles: { column: 'cleanup_roles', value: (v) => `ARRAY(SELECT jsonb_array_elements_text(${v}))` },
};

const PATCH_SETS = Object.entries(PATCH_SQL)
  .map(([prop, { column, value }]) => `${column} = CASE WHEN r.p -> '${prop}' IS NULL THEN tasks.${column} ELSE ${value(`(r.p -> '${prop}')`)} END`)
  .join(',\n              ');

/**
 * The run-time side of the transfer aggregate (table tasks). Every state change is one conditional
 * UPDATE ... WHERE id = $1 AND state = ANY($2) RETURNING *: whoever gets the row back won the
 * transition and alone performs its side effects; everyone else gets null. Leases (lease_owner,
 * lease_until) mark a task that one core process is talking to gateways about, so that another
 * replica's sweeper leaves it alone until the lease runs out.
 */
@Injectable()
export class TaskRepository {
  constructor(private readonly db: Database) {}

  find(id: string): Promise<TaskEntity | null> {
    return this.db.entity(TaskEntity, `SELECT * FROM tasks WHERE id = $1`, [id]);
  }

  /** A task only if it belongs to this owner (others' tasks look exactly like missing ones). */
  findOwned(id: string, ownerId: string): Promise<TaskEntity | null> {
    return this.db.entity(TaskEntity, `SELECT * FROM tasks WHERE id = $1 AND owner_id = $2`, [id, ownerId]);
  }

  /**
   * from -> to, optionally with more columns. End states get finished_at and drop any lease.
   * `leaseOwner` restricts the transition to the holder of the task's lease. `audit` is written in
   * the same statement, only if the transition happened.
   */
  transition(
    id: string,
    from: readonly TaskState[],
    to: TaskState,
    patch: TaskPatch = {},
    opts: { leaseOwner?: string; audit?: AuditEntry } = {},
  ): Promise<TaskEntity | null> {
    const sets = this.db.columnsOf(TaskEntity, patch);
    const params: unknown[] = [id, from, to, ...sets.map((s) => s.value)];
    const extra = sets.map((s, i) => `, ${s.column} = $${i + 4}`).join('');
    const end = END_STATES.includes(to) ? `, finished_at = now(), lease_owner = NULL, lease_until = NULL` : '';
    let where = `id = $1 AND state = ANY($2)`;
    if (opts.leaseOwner) {
      params.push(opts.leaseOwner);
      where += ` AND lease_owner = $${params.length}`;
    }
    const q = withAudit(`UPDATE tasks SET state = $3, updated_at = now()${extra}${end} WHERE ${where} RETURNING *`, params, opts.audit);
    return this.db.entity(TaskEntity, q.sql, q.params);
  }

  /**
   * Applies a gateway's progress report if its seq is newer than the last one stored for that role
   * and the task is in one of `from`; `to` null keeps the state. Null when dropped.
   * The locking subquery reads the row first, so `previousBytesDone` is exactly the value this update replaced
   * (concurrent reports, even on other replicas, never count the same bytes twice).
   */
  async applyReport(
    id: string,
    role: GatewayRole,
    seq: number,
    from: readonly TaskState[],
    to: TaskState | null,
    patch: TaskPatch = {},
  ): Promise<AppliedReport | null> {
    const seqCol = SEQ_COLUMN[role];
    const sets = this.db.columnsOf(TaskEntity, patch);
    const params: unknown[] = [id, from, seq, to, ...sets.map((s) => s.value)];
    const extra = sets.map((s, i) => `, ${s.column} = $${i + 5}`).join('');
    const end = to && END_STATES.includes(to) ? `, finished_at = now()` : '';
    const rows = await this.db.rows(
      `UPDATE tasks SET ${seqCol} = $3, state = COALESCE($4, state), updated_at = now()${extra}${end}
         FROM (SELECT id, bytes_done FROM tasks WHERE id = $1 FOR UPDATE) prev
        WHERE tasks.id = prev.id AND tasks.state = ANY($2) AND tasks.${seqCol} < $3
        RETURNING tasks.*, prev.bytes_done AS previous_bytes_done`,
      params,
    );
    if (!rows[0]) return null;
    return { task: this.db.toEntity(TaskEntity, rows[0]), previousBytesDone: Number(rows[0].previous_bytes_done ?? 0) };
  }

  /**
   * applyReport for many reports in one statement (at most one per task: the caller splits
   * several reports for one task into successive calls). Rows are locked in id order, so two
   * batches naming the same tasks wait for each other instead of deadlocking. The result has, at
   * each applied report's index in `writes`, the updated task and its bytes_done before; dropped
   * ones are missing.
   */
  async applyReports(writes: readonly ReportWrite[]): Promise<Map<number, AppliedReport>> {
    const out = new Map<number, AppliedReport>();
    if (writes.length === 0) return out;
    if (writes.length === 1) {
      // one report (the single endpoint): the one-row statement, about half as costly to plan and run
      const w = writes[0];
      const a = await this.applyReport(w.id, w.role, w.seq, w.from, w.to, w.patch);
      if (a) out.set(0, a);
      return out;
    }
    if (new Set(writes.map((w) => w.id)).size !== writes.length) throw new Error('applyReports: one report per task per call');
    const rows = writes.map((w, i) => ({ i, id: w.id, role: w.role, seq: w.seq, from_states: w.from, to_state: w.to, p: w.patch }));
    const applied = await this.db.rows(
      `UPDATE tasks SET
              last_seq_source = CASE WHEN r.role = 'source' THEN r.seq ELSE tasks.last_seq_source END,
              last_seq_destination = CASE WHEN r.role = 'destination' THEN r.seq ELSE tasks.last_seq_destination END,
              state = COALESCE(r.to_state, tasks.state),
              updated_at = now(),
              finished_at = CASE WHEN r.to_state = ANY($2::text[]) THEN now() ELSE tasks.finished_at END,
              ${PATCH_SETS}
         FROM jsonb_to_recordset($1::jsonb) AS r(i int, id uuid, role text, seq bigint, from_states text[], to_state text, p jsonb),
              (SELECT id, bytes_done FROM tasks WHERE id = ANY($3::uuid[]) ORDER BY id FOR UPDATE) prev
        WHERE tasks.id = r.id AND prev.id = r.id AND tasks.state = ANY(r.from_states)
          AND CASE WHEN r.role = 'source' THEN tasks.last_seq_source ELSE tasks.last_seq_destination END < r.seq
        RETURNING r.i AS batch_index, tasks.*, prev.bytes_done AS previous_bytes_done`,
      [JSON.stringify(rows), END_STATES, writes.map((w) => w.id)],
    );
    for (const row of applied) {
      out.set(Number(row.batch_index), { task: this.db.toEntity(TaskEntity, row), previousBytesDone: Number(row.previous_bytes_done ?? 0) });
    }
    return out;
  }

  /** Several tasks by id (e.g. all a progress batch names), in no particular order. */
  async findMany(ids: readonly string[]): Promise<TaskEntity[]> {
    if (ids.length === 0) return [];
    if (ids.length === 1) return [await this.find(ids[0])].filter((t): t is TaskEntity => t !== null);
    return this.db.entities(TaskEntity, `SELECT * FROM tasks WHERE id = ANY($1::uuid[])`, [ids]);
  }

  /** One GROUP BY over all tasks, for the metrics gauges. */
  async countByKindStateMechanism(): Promise<TaskCount[]> {
    const rows = await this.db.rows(`SELECT kind, state, mechanism, count(*)::int AS n FROM tasks GROUP BY kind, state, mechanism`);
    return rows.map((r) => ({ kind: r.kind, state: r.state, mechanism: r.mechanism ?? null, count: Number(r.n) }));
  }

  /** Takes the task's lease if it is in one of `states` and nobody holds a live lease. */
  claim(id: string, states: readonly TaskState[], owner: string, leaseMs: number): Promise<TaskEntity | null> {
    return this.claimWhere(id, `state = ANY($4)`, owner, leaseMs, [states]);
  }

  /** The lease for relaying a trigger: only while AWAITING_TRIGGER and before the trigger deadline. */
  claimForTrigger(id: string, owner: string, leaseMs: number): Promise<TaskEntity | null> {
    return this.claimWhere(
      id,
      `state = 'AWAITING_TRIGGER' AND EXISTS (SELECT 1 FROM transfers x WHERE x.id = tasks.id AND x.trigger_deadline > now())`,
      owner,
      leaseMs,
    );
  }

  /** The lease for telling gateways how an ended task ended. */
  claimForCleanup(id: string, owner: string, leaseMs: number): Promise<TaskEntity | null> {
    return this.claimWhere(id, `cleanup_outcome IS NOT NULL`, owner, leaseMs);
  }

  private claimWhere(id: string, cond: string, owner: string, leaseMs: number, more: unknown[] = []): Promise<TaskEntity | null> {
    return this.db.entity(
      TaskEntity,
      `UPDATE tasks SET lease_owner = $2, lease_until = now() + make_interval(secs => $3::double precision / 1000)
        WHERE id = $1 AND ${cond} AND (lease_until IS NULL OR lease_until < now()) RETURNING *`,
      [id, owner, leaseMs, ...more],
    );
  }

  /** Extends a lease this owner still holds; false when it was lost. */
  async renewLease(id: string, owner: string, leaseMs: number): Promise<boolean> {
    const r = await this.db.rows(
      `UPDATE tasks SET lease_until = now() + make_interval(secs => $3::double precision / 1000)
        WHERE id = $1 AND lease_owner = $2 RETURNING id`,
      [id, owner, leaseMs],
    );
    return r.length === 1;
  }

  /** Gives the lease back early (or pushes it out by `backoffMs`, so no sweeper retries before then). */
  async release(id: string, owner: string, backoffMs = 0): Promise<void> {
    await this.db.rows(
      `UPDATE tasks SET lease_owner = NULL,
              lease_until = CASE WHEN $3::double precision > 0 THEN now() + make_interval(secs => $3::double precision / 1000) END
        WHERE id = $1 AND lease_owner = $2`,
      [id, owner, backoffMs],
    );
  }

  /**
   * Untriggered tasks past their deadline (all, or just `onlyId`), moved to EXPIRED with both gateways
   * queued for finalize 'expired'. A task whose trigger is being relayed (live lease) is left alone.
   */
  expireOverdue(limit: number, onlyId?: string): Promise<TaskEntity[]> {
    return this.db.entities(
      TaskEntity,
      `UPDATE tasks SET state = 'EXPIRED', updated_at = now(), finished_at = now(),
              error = jsonb_build_object('code', 'EXPIRED', 'message', 'not triggered before the deadline'),
              cleanup_outcome = 'expired',
              cleanup_roles = ARRAY(SELECT o->>'role' FROM transfers x, jsonb_array_elements(x.offers) o WHERE x.id = tasks.id),
              lease_owner = NULL, lease_until = NULL
        WHERE id IN (
          SELECT t.id FROM tasks t JOIN transfers x ON x.id = t.id
           WHERE t.state = 'AWAITING_TRIGGER' AND x.trigger_deadline < now()
             AND (t.lease_until IS NULL OR t.lease_until < now()) AND ($2::uuid IS NULL OR t.id = $2)
           ORDER BY x.trigger_deadline LIMIT $1 FOR UPDATE OF t SKIP LOCKED)
          AND state = 'AWAITING_TRIGGER'
        RETURNING *`,
      [limit, onlyId ?? null],
    );
  }

  /**
   * NEGOTIATING tasks whose negotiating process is gone: their lease (taken when the task was
   * created, renewed while the negotiation runs) ran out. Leased to `owner`, who negotiates again.
   * (Tasks created before negotiations were leased have none: stale once untouched for a lease.)
   * Transfers only: tunnels are negotiated differently.
   */
  claimStaleNegotiating(owner: string, leaseMs: number, limit: number): Promise<TaskEntity[]> {
    const stale = `state = 'NEGOTIATING' AND kind = 'transfer' AND (lease_until < now()
      OR (lease_until IS NULL AND updated_at < now() - make_interval(secs => $2::double precision / 1000)))`;
    return this.db.entities(
      TaskEntity,
      `UPDATE tasks SET lease_owner = $1, lease_until = now() + make_interval(secs => $2::double precision / 1000)
        WHERE id IN (SELECT id FROM tasks WHERE ${stale} ORDER BY updated_at LIMIT $3 FOR UPDATE SKIP LOCKED)
          AND ${stale}
        RETURNING *`,
      [owner, leaseMs, limit],
    );
  }

  /** FINALIZING tasks nobody is working on (a crash or a failed attempt): leased to `owner`, attempts counted. */
  claimStuckFinalizing(owner: string, leaseMs: number, limit: number): Promise<TaskEntity[]> {
    return this.claimMany(`state = 'FINALIZING'`, 'finalize_attempts', owner, leaseMs, limit);
  }

  /** Ended tasks with gateways still to be told the outcome: leased to `owner`, attempts counted. */
  claimPendingCleanup(owner: string, leaseMs: number, limit: number): Promise<TaskEntity[]> {
    return this.claimMany(`cleanup_outcome IS NOT NULL`, 'cleanup_attempts', owner, leaseMs, limit);
  }

  private claimMany(cond: string, counter: string, owner: string, leaseMs: number, limit: number): Promise<TaskEntity[]> {
    return this.db.entities(
      TaskEntity,
      `UPDATE tasks SET lease_owner = $1, lease_until = now() + make_interval(secs => $2::double precision / 1000),
              ${counter} = ${counter} + 1
        WHERE id IN (
          SELECT id FROM tasks WHERE ${cond} AND (lease_until IS NULL OR lease_until < now())
           ORDER BY updated_at LIMIT $3 FOR UPDATE SKIP LOCKED)
          AND ${cond} AND (lease_until IS NULL OR lease_until < now())
        RETURNING *`,
      [owner, leaseMs, limit],
    );
  }

  /**
   * Tasks in STARTING/RUNNING/PAUSED with no report (nor status answer) for `staleSeconds`, leased to
   * `owner` for the stale-task check. updated_at moves with every applied report and transition.
   */
  claimStale(owner: string, leaseMs: number, staleSeconds: number, limit: number): Promise<TaskEntity[]> {
    const cond = `kind = 'transfer' AND state = ANY($4) AND updated_at < now() - make_interval(secs => $3::double precision)
      AND (source_checked_at IS NULL OR source_checked_at < now() - make_interval(secs => $3::double precision))
      AND (lease_until IS NULL OR lease_until < now())`;
    return this.db.entities(
      TaskEntity,
      `UPDATE tasks SET lease_owner = $1, lease_until = now() + make_interval(secs => $2::double precision / 1000)
        WHERE id IN (SELECT id FROM tasks WHERE ${cond} ORDER BY COALESCE(source_checked_at, updated_at) LIMIT $5 FOR UPDATE SKIP LOCKED)
          AND ${cond}
        RETURNING *`,
      [owner, leaseMs, staleSeconds, STALE_CHECK_STATES, limit],
    );
  }

  /** The source gateway answered the stale-task check: note when, and give the lease back. */
  async markSourceAnswered(id: string, owner: string): Promise<void> {
    await this.db.rows(
      `UPDATE tasks SET source_checked_at = now(), source_unreachable_since = NULL, lease_owner = NULL, lease_until = NULL
        WHERE id = $1 AND lease_owner = $2`,
      [id, owner],
    );
  }

  /**
   * The source gateway did not answer: note since when (the first miss of a run), keeping the lease
   * when it has been `giveUpSeconds` (the caller then fails the task), releasing it otherwise.
   * Null when this owner lost the lease meanwhile.
   */
  async markSourceUnreachable(
    id: string,
    owner: string,
    giveUpSeconds: number,
  ): Promise<{ giveUp: boolean; unreachableForSeconds: number } | null> {
    // one statement (SET reads the old values, RETURNING the new ones): lease kept only when giving up
    const rows = await this.db.rows(
      `UPDATE tasks SET source_checked_at = now(), source_unreachable_since = COALESCE(source_unreachable_since, now()),
              lease_owner = CASE WHEN now() - COALESCE(source_unreachable_since, now()) >= make_interval(secs => $3::double precision) THEN lease_owner END,
              lease_until = CASE WHEN now() - COALESCE(source_unreachable_since, now()) >= make_interval(secs => $3::double precision) THEN lease_until END
        WHERE id = $1 AND lease_owner = $2
        RETURNING lease_owner IS NOT NULL AS give_up, EXTRACT(EPOCH FROM now() - source_unreachable_since)::double precision AS secs`,
      [id, owner, giveUpSeconds],
    );
    if (!rows[0]) return null;
    return { giveUp: rows[0].give_up === true, unreachableForSeconds: Number(rows[0].secs) };
  }

  /** Stops telling gateways (given up on). */
  async clearCleanup(id: string): Promise<void> {
    await this.db.rows(`UPDATE tasks SET cleanup_outcome = NULL, cleanup_roles = '{}' WHERE id = $1`, [id]);
  }

  /** One gateway acknowledged the cleanup; the outcome is cleared with the last one. */
  async ackCleanup(id: string, role: GatewayRole): Promise<void> {
    await this.db.rows(
      `UPDATE tasks SET cleanup_roles = array_remove(cleanup_roles, $2),
              cleanup_outcome = CASE WHEN cardinality(array_remove(cleanup_roles, $2)) = 0 THEN NULL ELSE cleanup_outcome END
        WHERE id = $1`,
      [id, role],
    );
  }

  /** One page of an owner's tasks, newest first, keyset-paged over (created_at, id). */
  page(q: TaskPageQuery): Promise<TaskEntity[]> {
    const params: unknown[] = [q.ownerId, q.limit];
    let where = `owner_id = $1`;
    if (q.states?.length) {
      params.push(q.states);
      where += ` AND state = ANY($${params.length})`;
    }
    if (q.kind) {
      params.push(q.kind);
      where += ` AND kind = $${params.length}`;
    }
    if (q.after) {
      params.push(q.after.createdAt, q.after.id);
      where += ` AND (created_at, id) < ($${params.length - 1}, $${params.length})`;
    }
    return this.db.entities(
      TaskEntity,
      `SELECT * FROM tasks WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT $2`,
      params,
    );
  }

  /** An owner's tasks that are still going, or (with `since`) every task changed after that time. */
  listForStream(ownerId: string, since: Date | null): Promise<TaskEntity[]> {
    return since
      ? this.db.entities(TaskEntity, `SELECT * FROM tasks WHERE owner_id = $1 AND updated_at > $2 ORDER BY updated_at`, [
          ownerId,
          since,
        ])
      : this.db.entities(
          TaskEntity,
          `SELECT * FROM tasks WHERE owner_id = $1 AND NOT (state = ANY($2)) ORDER BY updated_at`,
          [ownerId, END_STATES],
        );
  }
}
