import { MechanismError } from '@ferry/plugin-sdk';

/**
 * rsync's exit code and stderr → a readable MechanismError with a retry class. Codes from rsync(1)
 * "EXIT VALUES"; ssh's own failures surface as 255 (or as 12 when rsync saw the stream die).
 * Specific stderr wins over the bare code: "Permission denied (publickey)" is the key being
 * refused whatever code rsync chose to exit with.
 */
export interface RsyncExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

const EXIT_TEXT: Record<number, string> = {
  1: 'syntax or usage error',
  2: 'protocol incompatibility',
  3: 'errors selecting input/output files or folders',
  4: 'requested action not supported',
  5: 'error starting the client-server protocol',
  6: 'daemon unable to append to log file',
  10: 'error in socket I/O',
  11: 'error in file I/O',
  12: 'error in the rsync protocol data stream',
  13: 'errors with program diagnostics',
  14: 'error in IPC code',
  20: 'received SIGUSR1 or SIGINT',
  21: 'some error returned by waitpid()',
  22: 'error allocating core memory buffers',
  23: 'partial transfer due to error',
  24: 'partial transfer due to vanished source files',
  25: 'the --max-delete limit stopped deletions',
  30: 'timeout in data send/receive',
  35: 'timeout waiting for daemon connection',
  255: 'ssh failed',
};

export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (code === null) return `rsync was killed by ${signal ?? 'a signal'}`;
  return `rsync exit ${code} (${EXIT_TEXT[code] ?? 'unknown error'})`;
}

/** The last few meaningful stderr lines, for the task's message (never the whole stream). */
export function stderrSummary(stderr: string, max = 3): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^rsync error: .* at [a-z0-9_.]+\(\d+\)/.test(l) && !/^Warning: Permanently added/.test(l));
  return lines.slice(-max).join(' | ').slice(0, 600);
}

export function mapRsyncExit(e: RsyncExit): MechanismError {
  const s = e.stderr;
  const what = describeExit(e.code, e.signal);
  const detail = stderrSummary(s);
  const msg = (text: string) => `${text} [${what}${detail ? `: ${detail}` : ''}]`;
  const details = { exitCode: e.code, signal: e.signal };

  if (/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|host key .* (mismatch|differs)/i.test(s)) {
    return new MechanismError('AUTH_FAILED', msg("the destination's SSH host key does not match the pinned key; refusing to send"), 'fatal', details);
  }
  if (/Permission denied \(publickey|Too many authentication failures|Authentication failed/i.test(s)) {
    return new MechanismError(
      'AUTH_FAILED',
      msg('the destination refused the transfer key (revoked, past its expiry time, or the account may not log in)'),
      'fatal',
      details,
    );
  }
  if (/No space left on device|Disk quota exceeded/i.test(s)) {
    return new MechanismError('DISK_FULL', msg('the destination ran out of space'), 'no-retry', details);
  }
  if (/Restricted directory does not exist/i.test(s)) {
    return new MechanismError('NOT_FOUND', msg('the destination folder no longer exists'), 'no-retry', details);
  }
  if (/rrsync(\.py)? error|rrsync: /i.test(s) || /reading from write-only server|sending to read-only server|has been disabled on this server/i.test(s)) {
    return new MechanismError('REMOTE_ERROR', msg("the destination's rrsync refused the request"), 'no-retry', details);
  }
  if (/Connection refused|Connection timed out|No route to host|Network is unreachable|Could not resolve hostname|Connection reset|Connection closed by|kex_exchange_identification|Broken pipe/i.test(s)) {
    return new MechanismError('PEER_UNREACHABLE', msg('cannot reach the destination over SSH'), 'retry', details);
  }
  if (e.code === null) return new MechanismError('PROCESS_FAILED', msg('rsync stopped unexpectedly'), 'retry', details);
  switch (e.code) {
    case 23:
      if (/Permission denied/i.test(s)) return new MechanismError('PERMISSION_DENIED', msg('some files could not be read or written'), 'no-retry', details);
      return new MechanismError('PROCESS_FAILED', msg('some files could not be transferred'), 'no-retry', details);
    case 24:
      return new MechanismError('PROCESS_FAILED', msg('source files vanished during the transfer'), 'retry', details);
    case 3:
      return new MechanismError('BAD_PATH', msg('rsync could not open a source or destination path'), 'no-retry', details);
    case 10:
    case 12:
    case 14:
    case 20:
    case 21:
    case 30:
    case 35:
    case 255:
      return new MechanismError(e.code === 30 || e.code === 35 || e.code === 255 ? 'PEER_UNREACHABLE' : 'PROCESS_FAILED', msg('the transfer connection failed'), 'retry', details);
    default:
      return new MechanismError('PROCESS_FAILED', msg('rsync failed'), 'no-retry', details);
  }
}
