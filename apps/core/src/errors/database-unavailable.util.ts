/** PostgreSQL SQLSTATEs meaning "the server is not there right now", not "your query is wrong". */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);
/** node-postgres reports a dropped connection with a bare Error and one of these messages */
const UNAVAILABLE_MESSAGES = [/^Connection terminated/, /timeout exceeded when trying to connect/, /Cannot use a pool after calling end/];

/**
 * Whether an error is the database being unreachable (restarting, failing over, refusing
 * connections) rather than a bug: such a request is answered 503 SERVICE_UNAVAILABLE, which
 * clients retry, instead of 500 INTERNAL. Looks through TypeORM's QueryFailedError at the driver's
 * error.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err as { code?: unknown; message?: unknown; driverError?: unknown } | undefined, depth = 0; e && depth < 3; depth++) {
    const code = typeof e.code === 'string' ? e.code : '';
    if (code.startsWith('08') || UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_NODE_CODES.has(code)) return true;
    if (typeof e.message === 'string' && UNAVAILABLE_MESSAGES.some((m) => m.test(e!.message as string))) return true;
    e = e.driverError as typeof e;
  }
  return false;
}
