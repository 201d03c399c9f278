import { utils } from 'ssh2';
import { MechanismError, isMechanismError } from '@ferry/plugin-sdk';
import { DISK_FULL_MESSAGE } from '../server/sftp-status.util';

const { STATUS_CODE } = utils.sftp;
/** SFTP v5+ codes some servers send even on v3 sessions */
const NO_SPACE_ON_FILESYSTEM = 14;
const QUOTA_EXCEEDED = 15;

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EPIPE', 'EAI_AGAIN']);

/**
 * Turns whatever the SSH/SFTP client or the local file system threw into a MechanismError with a
 * retry class: a dropped connection may be retried, refused credentials and a full disk may not.
 */
export function toUploadError(e: unknown, what: string): MechanismError {
  if (isMechanismError(e)) return e;
  const err = e as { code?: unknown; level?: unknown; message?: unknown };
  const message = typeof err?.message === 'string' ? err.message : String(e);
  if (err?.level === 'client-authentication') {
    return new MechanismError('AUTH_FAILED', 'the destination refused the transfer credentials', 'fatal');
  }
  if (typeof err?.code === 'number') {
    if (err.code === NO_SPACE_ON_FILESYSTEM || err.code === QUOTA_EXCEEDED || message.includes(DISK_FULL_MESSAGE) || /no space left/i.test(message)) {
      return new MechanismError('DISK_FULL', `the destination disk is full (${what})`, 'fatal');
    }
    if (err.code === STATUS_CODE.PERMISSION_DENIED) {
      return new MechanismError('PERMISSION_DENIED', `the destination refused ${what}: ${message}`, 'fatal');
    }
    if (err.code === STATUS_CODE.CONNECTION_LOST || err.code === STATUS_CODE.NO_CONNECTION) {
      return new MechanismError('PEER_UNREACHABLE', `connection to the destination lost (${what})`, 'retry');
    }
    return new MechanismError('REMOTE_ERROR', `the destination failed ${what}: ${message}`, 'no-retry');
  }
  if (typeof err?.code === 'string') {
    if (NETWORK_CODES.has(err.code)) {
      return new MechanismError('PEER_UNREACHABLE', `cannot reach the destination (${err.code})`, 'retry');
    }
    if (err.code === 'ENOENT') return new MechanismError('NOT_FOUND', `a source file vanished during ${what}`, 'no-retry');
    if (err.code === 'EACCES' || err.code === 'EPERM') {
      return new MechanismError('PERMISSION_DENIED', `cannot read the source (${what})`, 'no-retry');
    }
  }
  if (/no response from server|not connected|connection lost|timed out|socket|ECONNRESET|channel/i.test(message)) {
    return new MechanismError('PEER_UNREACHABLE', `connection to the destination lost (${what}): ${message}`, 'retry');
  }
  return new MechanismError('REMOTE_ERROR', `${what} failed: ${message}`, 'no-retry');
}
