import { MechanismError, isMechanismError } from '@ferry/plugin-sdk';

/**
 * An error answer from Globus: `{"code","message","request_id","resource"}` plus, for
 * ConsentRequired, `required_scopes`. `retryable` follows the reference: 429 and 5xx only.
 */
export class GlobusApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
    readonly requiredScopes?: string[],
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'GlobusApiError';
  }

  get retryable(): boolean {
    return this.status === 429 || this.status >= 500;
  }

  static async fromResponse(res: Response, retryAfterMs?: number): Promise<GlobusApiError> {
    let body: Record<string, unknown> = {};
    try {
      body = (await res.json()) as Record<string, unknown>;
    } catch {
      // not JSON (a proxy's error page): keep the status
    }
    const code = typeof body.code === 'string' ? body.code : typeof body.error === 'string' ? body.error : `HTTP${res.status}`;
    const message =
      typeof body.message === 'string' ? body.message : typeof body.error_description === 'string' ? body.error_description : res.statusText || code;
    const scopes = Array.isArray(body.required_scopes) ? body.required_scopes.map(String) : undefined;
    return new GlobusApiError(res.status, code, message, typeof body.request_id === 'string' ? body.request_id : undefined, scopes, retryAfterMs);
  }
}

/** A fetch that failed below HTTP (refused, reset, timed out): always worth a retry. */
export class GlobusNetworkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GlobusNetworkError';
  }
}

/**
 * Retry classification in one place: what a Globus failure means for the transfer.
 * PermissionDenied and ConsentRequired are fatal and carry Globus's own words.
 */
export function toMechanismError(e: unknown, what: string): MechanismError {
  if (isMechanismError(e)) return e;
  if (e instanceof GlobusNetworkError) return new MechanismError('PEER_UNREACHABLE', `Globus unreachable while ${what}: ${e.message}`, 'retry');
  if (!(e instanceof GlobusApiError)) return new MechanismError('REMOTE_ERROR', `Globus call failed while ${what}: ${(e as Error)?.message ?? String(e)}`, 'retry');
  const words = `Globus ${e.code}: ${e.message}`;
  const details = { globusCode: e.code, status: e.status, ...(e.requestId ? { requestId: e.requestId } : {}) };
  if (e.code === 'ConsentRequired') {
    return new MechanismError('PERMISSION_DENIED', `${words}${e.requiredScopes?.length ? ` (required scopes: ${e.requiredScopes.join(' ')})` : ''}`, 'fatal', {
      ...details,
      requiredScopes: e.requiredScopes ?? [],
    });
  }
  if (e.status === 403) return new MechanismError('PERMISSION_DENIED', words, 'fatal', details);
  if (e.status === 401) return new MechanismError('AUTH_FAILED', words, 'fatal', details);
  if (e.status === 404) return new MechanismError('NOT_FOUND', words, 'no-retry', details);
  if (e.status === 409) return new MechanismError('INVALID_STATE', words, 'no-retry', details);
  if (e.retryable) return new MechanismError('PEER_UNREACHABLE', `${words} (gave up after retries)`, 'retry', details);
  return new MechanismError('REMOTE_ERROR', words, 'no-retry', details);
}
