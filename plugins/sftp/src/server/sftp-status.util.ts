import { utils } from 'ssh2';
import { JailError } from './path-jail';

const { STATUS_CODE } = utils.sftp;

export interface SftpStatus {
  code: number;
  message: string;
}

/** Marker put in the status message for a full disk; the uploader turns it into DISK_FULL. */
export const DISK_FULL_MESSAGE = 'ENOSPC: no space left on device';

/**
 * SFTP v3 has only a handful of status codes, so a full disk travels as FAILURE with a message the
 * source recognizes (OpenSSH's sftp-server does the same, with less helpful words).
 */
export function statusOf(e: unknown): SftpStatus {
  if (e instanceof JailError) return { code: STATUS_CODE.PERMISSION_DENIED, message: e.message };
  if (e instanceof SftpRequestError) return { code: e.status, message: e.message };
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return { code: STATUS_CODE.NO_SUCH_FILE, message: 'no such file or folder' };
    case 'EACCES':
    case 'EPERM':
    case 'ELOOP': // O_NOFOLLOW met a symlink
      return { code: STATUS_CODE.PERMISSION_DENIED, message: 'permission denied' };
    case 'ENOSPC':
    case 'EDQUOT':
      return { code: STATUS_CODE.FAILURE, message: DISK_FULL_MESSAGE };
    case 'EEXIST':
      return { code: STATUS_CODE.FAILURE, message: 'already exists' };
    case 'ENOTEMPTY':
      return { code: STATUS_CODE.FAILURE, message: 'folder not empty' };
    case 'EISDIR':
      return { code: STATUS_CODE.FAILURE, message: 'is a folder' };
    case 'ENOTDIR':
      return { code: STATUS_CODE.NO_SUCH_FILE, message: 'not a folder' };
    default:
      return { code: STATUS_CODE.FAILURE, message: code ? `failed (${code})` : 'failed' };
  }
}

/** An SFTP-level refusal with an explicit status (bad handle, unsupported operation...). */
export class SftpRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'SftpRequestError';
  }
}
