/**
 * How a failure should be treated, after rclone's fserrors: 'retry' (transient: network, 429, 5xx),
 * 'fatal' (stop this transfer now), 'no-retry' (this attempt failed; retrying the same thing fails again).
 */
export type RetryClass = 'retry' | 'fatal' | 'no-retry';

/** Expected failure codes; the gateway maps them to ferry error codes and task messages. */
export type MechanismErrorCode =
  | 'REJECTED' // refuse at negotiation (reason shown to the researcher)
  | 'BAD_PATH'
  | 'NOT_FOUND'
  | 'PERMISSION_DENIED'
  | 'AUTH_FAILED' // the peer refused our credentials
  | 'PEER_UNREACHABLE'
  | 'DISK_FULL'
  | 'VERIFY_FAILED'
  | 'CANCELLED'
  | 'UNSUPPORTED'
  | 'INVALID_STATE'
  | 'REMOTE_ERROR' // the remote service said no (message has its words)
  | 'PROCESS_FAILED'; // a child process (rsync, ssh) exited non-zero

export class MechanismError extends Error {
  constructor(
    readonly code: MechanismErrorCode,
    message: string,
    readonly retry: RetryClass = 'no-retry',
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'MechanismError';
  }
}

export function isMechanismError(e: unknown): e is MechanismError {
  return e instanceof Error && (e as MechanismError).name === 'MechanismError' && typeof (e as MechanismError).code === 'string';
}
