import { isErrorBody } from '@ferry/contracts';

/** A failed call to the core: the stable error code from its body, or a transport code of our own. */
export class ApiError extends Error {
  constructor(
    /** a @ferry/contracts ErrorCode, or CORE_UNREACHABLE / BAD_RESPONSE */
    readonly code: string,
    message: string,
    readonly status: number,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  static async fromResponse(res: Response): Promise<ApiError> {
    const text = await res.text().catch(() => '');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (isErrorBody(body)) return new ApiError(body.error.code, body.error.message, res.status, body.error.details);
    return new ApiError('BAD_RESPONSE', `HTTP ${res.status} ${res.statusText}${text ? `: ${text.slice(0, 200)}` : ''}`, res.status);
  }
}
