import { MechanismError, type MechanismErrorCode, type RetryClass } from '@ferry/plugin-sdk';

/**
 * Failures of this library. They are MechanismErrors (so a plugin can let them through to the
 * gateway unchanged); `reason` says which OpenSSH-specific thing went wrong.
 */
export type OpenSshFailure =
  | 'BAD_KEY' // not a usable SSH public key / fingerprint
  | 'BAD_ACCOUNT' // account name unsafe or unknown
  | 'BAD_OPTION' // a value that cannot be written safely into authorized_keys
  | 'HOST_KEY' // host key missing, unreadable or not matching the pinned fingerprint
  | 'LOCK_TIMEOUT' // another writer held the authorized-keys file too long
  | 'IO';

const CODE: Record<OpenSshFailure, MechanismErrorCode> = {
  BAD_KEY: 'REJECTED',
  BAD_ACCOUNT: 'REJECTED',
  BAD_OPTION: 'BAD_PATH',
  HOST_KEY: 'AUTH_FAILED',
  LOCK_TIMEOUT: 'REMOTE_ERROR',
  IO: 'REMOTE_ERROR',
};
const RETRY: Record<OpenSshFailure, RetryClass> = {
  BAD_KEY: 'no-retry',
  BAD_ACCOUNT: 'no-retry',
  BAD_OPTION: 'no-retry',
  HOST_KEY: 'fatal',
  LOCK_TIMEOUT: 'retry',
  IO: 'retry',
};

export class OpenSshError extends MechanismError {
  constructor(
    readonly reason: OpenSshFailure,
    message: string,
  ) {
    super(CODE[reason], message, RETRY[reason], { reason });
  }
}
