/**
 * Stable error codes shared by the core, gateways, CLI and web app. Every API error body is
 * `{ error: { code, message, details? } }`. The HTTP status for each code is decided here and
 * nowhere else (ERROR_STATUS), so a service throws a DomainError and never an HTTP exception.
 */
export const ERROR_STATUS = {
  // 400: the request itself is wrong
  VALIDATION_FAILED: 400,
  BAD_PATH: 400, // not a clean relative path, or escapes its drive (.., absolute, NUL)
  BAD_KEY: 400, // a public key that is not base64 of the right length
  BAD_ENVELOPE: 400,
  TRIGGER_INVALID: 400, // trigger does not open, or is bound to another transfer/role
  // 401/403: who you are and what you may do
  UNAUTHENTICATED: 401, // no, unknown or revoked token
  BAD_SIGNATURE: 401, // signed call between core and gateway failed verification
  STALE_TIMESTAMP: 401, // clock skew between core and gateway beyond the window
  REPLAYED_REQUEST: 401,
  FORBIDDEN: 403, // authenticated but not allowed (ACL, not admin)
  NO_IDENTITY_MAPPING: 403, // the user has no account mapped at that provider
  // 404
  NOT_FOUND: 404,
  // 409: the thing is in the wrong state
  INVALID_STATE: 409, // e.g. pause a finished task
  TRIGGER_REPLAYED: 409, // trigger for a transfer that was already triggered
  ALREADY_EXISTS: 409,
  // 410
  EXPIRED: 410,
  // 413 / 422 / 429
  PAYLOAD_TOO_LARGE: 413,
  REJECTED_BY_POLICY: 422, // a gateway's policy refused the transfer; message has its reason
  NO_COMMON_MECHANISM: 422, // the two sites share no mechanism (or not the one asked for)
  RATE_LIMITED: 429,
  // 5xx: someone else failed
  PROVIDER_UNAVAILABLE: 502, // the gateway could not be reached or answered garbage
  PROVIDER_ERROR: 502, // the gateway answered with an error of its own
  INTERNAL: 500, // a bug: tests treat any 500 as a failure
  SERVICE_UNAVAILABLE: 503, // the service's own database cannot be reached right now; retry (Retry-After)
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown> };
}

/** A failure the caller can act on. Thrown by services; mapped to HTTP in one exception filter per app. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } };
  }
}

export function isErrorBody(x: unknown): x is ErrorBody {
  const e = (x as ErrorBody | undefined)?.error;
  return !!e && typeof e.code === 'string' && typeof e.message === 'string';
}
