import { isErrorBody } from '@ferry/contracts';

/**
 * Every failure the app shows carries a stable code and a message: the core's own
 * `{error:{code,message}}` when it answered, or a client-side code (NETWORK, BAD_RESPONSE,
 * BAD_OFFER, …) when it did not. The UI prints both, so a researcher can quote the code.
 */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 0,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  static async fromResponse(res: Response): Promise<ApiError> {
    let body: unknown = null;
    try {
      body = await res.json();
    } catch {
      /* not JSON: fall through to a generic code */
    }
    if (isErrorBody(body)) return new ApiError(body.error.code, body.error.message, res.status, body.error.details);
    return new ApiError(`HTTP_${res.status}`, `${res.status} ${res.statusText || 'error'} from ${new URL(res.url).pathname}`, res.status);
  }
}

/** Turns anything thrown into something with a code and a message. */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (e && typeof e === 'object' && 'code' in e && typeof (e as { code: unknown }).code === 'string') {
    return new ApiError((e as { code: string }).code, (e as unknown as Error).message ?? String(e));
  }
  return new ApiError('CLIENT_ERROR', e instanceof Error ? e.message : String(e));
}
