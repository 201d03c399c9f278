import type { AuditAction } from '@ferry/contracts';
import type { AuthUser } from '../auth/auth.decorators';
import { redactValue } from '../logging/log-redaction.util';
import { requestContext } from '../logging/request-context';
import type { AuditEntry } from '../persistence/audit-sql.util';

/**
 * The audit entry for an action `actor` takes now, with the current request's id. Details go
 * through the log redaction as well: handlers pass no secrets, and a key named like one is dropped.
 */
export function auditEntry(
  actor: AuthUser | null,
  action: AuditAction,
  what: { taskId?: string; target?: string; details?: Record<string, unknown> } = {},
): AuditEntry {
  return {
    actorId: actor?.id ?? null,
    action,
    taskId: what.taskId ?? null,
    target: what.target ?? null,
    details: (redactValue(what.details ?? {}) as Record<string, unknown>) ?? {},
    requestId: requestContext.requestId(),
  };
}
