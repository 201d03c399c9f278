import type { AuditAction } from '@ferry/contracts';

/**
 * One audit log entry to write together with the change it records. Built by the handlers
 * (audit/audit-entry.util.ts) and written by the repositories in the same SQL statement as the
 * change, so an entry exists exactly when the change happened: no transaction needed, which PGlite's
 * one shared connection could not offer anyway.
 */
export interface AuditEntry {
  actorId: string | null;
  action: AuditAction;
  taskId?: string | null;
  target?: string | null;
  /** never secrets: no tokens, keys or envelopes */
  details?: Record<string, unknown>;
  requestId?: string | null;
}

/**
 * A CTE named `audit_ins` that inserts `entry` once if the CTE (or table expression) `from` yields at
 * least one row. Its parameters are numbered from `firstParam`.
 */
export function auditCte(from: string, entry: AuditEntry, firstParam: number): { cte: string; params: unknown[] } {
  const n = (i: number) => `$${firstParam + i}`;
  return {
    cte: `audit_ins AS (
      INSERT INTO audit_log (actor_id, action, task_id, target, details, request_id)
      SELECT ${n(0)}::uuid, ${n(1)}::text, ${n(2)}::uuid, ${n(3)}::text, ${n(4)}::jsonb, ${n(5)}::text FROM ${from} LIMIT 1
      RETURNING id)`,
    params: [
      entry.actorId,
      entry.action,
      entry.taskId ?? null,
      entry.target ?? null,
      JSON.stringify(entry.details ?? {}),
      entry.requestId ?? null,
    ],
  };
}

/**
 * Wraps one data-modifying statement with RETURNING (not itself a WITH query) so that `entry` is
 * written in the same statement when it returned a row. Without `entry` the statement is unchanged.
 */
export function withAudit(sql: string, params: unknown[], entry: AuditEntry | undefined): { sql: string; params: unknown[] } {
  if (!entry) return { sql, params };
  if (/^\s*WITH\b/i.test(sql)) throw new Error('withAudit wraps single statements; add auditCte() to a WITH query instead');
  const a = auditCte('changed', entry, params.length + 1);
  return { sql: `WITH changed AS (${sql}), ${a.cte} SELECT * FROM changed`, params: [...params, ...a.params] };
}
