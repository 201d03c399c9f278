import { HttpException, HttpStatus } from '@nestjs/common';
import { DomainError, ErrorBody, ErrorCode, ERROR_STATUS } from '@ferry/contracts';
import { isDatabaseUnavailable } from './database-unavailable.util';

export interface ErrorResponse {
  status: number;
  body: ErrorBody;
  /** true for anything that is not an expected failure: a bug, logged with its stack */
  unexpected: boolean;
}

/** Which code a bare HTTP status becomes (Nest's own exceptions: unknown route, body parser, pipes). */
const STATUS_CODE: Partial<Record<number, ErrorCode>> = {
  [HttpStatus.BAD_REQUEST]: 'VALIDATION_FAILED',
  [HttpStatus.UNAUTHORIZED]: 'UNAUTHENTICATED',
  [HttpStatus.FORBIDDEN]: 'FORBIDDEN',
  [HttpStatus.NOT_FOUND]: 'NOT_FOUND',
  [HttpStatus.METHOD_NOT_ALLOWED]: 'NOT_FOUND',
  [HttpStatus.PAYLOAD_TOO_LARGE]: 'PAYLOAD_TOO_LARGE',
  [HttpStatus.UNSUPPORTED_MEDIA_TYPE]: 'VALIDATION_FAILED',
  [HttpStatus.TOO_MANY_REQUESTS]: 'RATE_LIMITED',
};

/** what a 503 asks clients to wait: about how long a PostgreSQL restart or failover takes */
const RETRY_AFTER_SECONDS = 5;

const body = (code: ErrorCode, message: string, details?: Record<string, unknown>): ErrorBody => ({
  error: { code, message, ...(details ? { details } : {}) },
});

/**
 * The one mapping from anything thrown to the HTTP answer. DomainError gets its status from
 * ERROR_STATUS; Nest HttpExceptions and body-parser errors are given the same body shape; the
 * database being unreachable (a restart, a failover) is 503 SERVICE_UNAVAILABLE, to be retried;
 * everything else is a 500 INTERNAL (a bug) whose details stay in the log.
 */
export function toErrorResponse(err: unknown): ErrorResponse {
  if (err instanceof DomainError) return { status: err.status, body: err.toBody(), unexpected: false };
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const code = STATUS_CODE[status];
    if (code) return { status: ERROR_STATUS[code], body: body(code, httpMessage(err)), unexpected: false };
    if (status < 500) return { status: 400, body: body('VALIDATION_FAILED', httpMessage(err)), unexpected: false };
  }
  // errors raised by Express body parsers (raw-body / http-errors) before Nest sees the request
  const e = err as { type?: string; status?: number; expose?: boolean; message?: string; limit?: number };
  if (e && typeof e === 'object' && typeof e.type === 'string' && e.expose) {
    if (e.type === 'entity.too.large') {
      return {
        status: 413,
        body: body('PAYLOAD_TOO_LARGE', `request body is larger than the limit of ${e.limit ?? '?'} bytes`),
        unexpected: false,
      };
    }
    if (e.type === 'entity.parse.failed') {
      return { status: 400, body: body('VALIDATION_FAILED', 'request body is not valid JSON'), unexpected: false };
    }
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      return { status: 400, body: body('VALIDATION_FAILED', e.message ?? 'bad request'), unexpected: false };
    }
  }
  if (isDatabaseUnavailable(err)) {
    return {
      status: ERROR_STATUS.SERVICE_UNAVAILABLE,
      body: body('SERVICE_UNAVAILABLE', 'the database cannot be reached right now; retry shortly', { retryAfterSeconds: RETRY_AFTER_SECONDS }),
      unexpected: false,
    };
  }
  return { status: 500, body: body('INTERNAL', 'internal error (logged on the server)'), unexpected: true };
}

function httpMessage(err: HttpException): string {
  const r = err.getResponse();
  if (typeof r === 'string') return r;
  const m = (r as { message?: unknown }).message;
  if (Array.isArray(m)) return m.join('; ');
  return typeof m === 'string' ? m : err.message;
}
