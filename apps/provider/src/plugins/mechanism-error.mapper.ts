import { DomainError, type ErrorCode } from '@ferry/contracts';
import { isMechanismError, type MechanismErrorCode, type RetryClass } from '@ferry/plugin-sdk';

/** How each plugin failure code reaches the core. The HTTP status then comes from ERROR_STATUS. */
const DOMAIN_CODE: Record<MechanismErrorCode, ErrorCode> = {
  REJECTED: 'REJECTED_BY_POLICY',
  BAD_PATH: 'BAD_PATH',
  NOT_FOUND: 'NOT_FOUND',
  PERMISSION_DENIED: 'FORBIDDEN',
  AUTH_FAILED: 'PROVIDER_ERROR',
  PEER_UNREACHABLE: 'PROVIDER_UNAVAILABLE',
  DISK_FULL: 'PROVIDER_ERROR',
  VERIFY_FAILED: 'PROVIDER_ERROR',
  CANCELLED: 'INVALID_STATE',
  UNSUPPORTED: 'INVALID_STATE',
  INVALID_STATE: 'INVALID_STATE',
  REMOTE_ERROR: 'PROVIDER_ERROR',
  PROCESS_FAILED: 'PROVIDER_ERROR',
};

export interface ClassifiedFailure {
  error: DomainError;
  retry: RetryClass;
  /** the code counted in metrics and shown in a task's error: the plugin's own code, or INTERNAL */
  code: string;
}

/**
 * A plugin's failure as the gateway treats it. MechanismErrors keep their retry class; a
 * DomainError thrown by a plugin passes as is; anything else is a plugin bug: INTERNAL, no retry.
 */
export function classifyPluginFailure(e: unknown, mechanism: string, method: string): ClassifiedFailure {
  if (isMechanismError(e)) {
    const code = DOMAIN_CODE[e.code] ?? 'PROVIDER_ERROR';
    return {
      error: new DomainError(code, e.message, { mechanism, mechanismCode: e.code, retry: e.retry }),
      retry: e.retry,
      code: e.code,
    };
  }
  if (e instanceof DomainError) return { error: e, retry: 'no-retry', code: e.code };
  const message = e instanceof Error ? e.message : String(e);
  return {
    error: new DomainError('INTERNAL', `plugin '${mechanism}' failed in ${method}: ${message}`, { mechanism }),
    retry: 'no-retry',
    code: 'INTERNAL',
  };
}
