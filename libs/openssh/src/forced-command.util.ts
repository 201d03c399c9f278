import * as path from 'node:path';
import { OpenSshError } from './openssh.error';

/**
 * Forced commands for ferry keys. sshd runs a forced command through the account's login shell
 * (`$SHELL -c "<command>"`), so every argument is single-quoted for a POSIX shell here; the
 * authorized_keys quoting on top is done by authorized-key-line.util.ts.
 */

/** POSIX shell single-quoting: 'it'\''s' — safe for any byte except NUL. */
export function shellQuote(arg: string): string {
  if (arg.includes('\0')) throw new OpenSshError('BAD_OPTION', 'arguments may not contain NUL');
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

function absolute(p: string, what: string): string {
  if (!path.isAbsolute(p)) throw new OpenSshError('BAD_OPTION', `${what} must be an absolute path`);
  if (/[\0\r\n]/.test(p)) throw new OpenSshError('BAD_OPTION', `${what} may not contain line breaks or NUL`);
  return p;
}

export interface RrsyncCommandOptions {
  /** path of rrsync (ships with rsync; Debian/Ubuntu: /usr/bin/rrsync) */
  rrsyncPath: string;
  /** the only folder the key may write to */
  dir: string;
  /** -wo: the client may only send (upload); reading is refused. Default true. */
  writeOnly?: boolean;
  /** -no-del: refuse --delete* and --remove-* options. Default true. */
  noDelete?: boolean;
  /**
   * -no-lock: allow several rsync runs into the same folder at once (rrsync otherwise locks the
   * folder per run). Default true: two ferry transfers may target one folder, and a resumed run
   * must not wait for the previous server process to notice its client is gone.
   */
  noLock?: boolean;
}

/** `rrsync -wo -no-del -no-lock '<dir>'`: rsync confined to one folder, write-only. */
export function rrsyncCommand(o: RrsyncCommandOptions): string {
  const args = [shellQuote(absolute(o.rrsyncPath, 'rrsync path'))];
  if (o.writeOnly !== false) args.push('-wo');
  if (o.noDelete !== false) args.push('-no-del');
  if (o.noLock !== false) args.push('-no-lock');
  args.push(shellQuote(absolute(o.dir, 'destination folder')));
  return args.join(' ');
}

export interface SftpCommandOptions {
  /**
   * 'internal': `internal-sftp`, sshd's in-process server. OpenSSH accepts it as a key's forced
   * command (checked with OpenSSH 9.2: sshd then serves only the sftp subsystem and answers
   * "This service allows sftp connections only." to anything else).
   * Otherwise the path of the sftp-server binary (Debian/Ubuntu: /usr/lib/openssh/sftp-server;
   * RHEL: /usr/libexec/openssh/sftp-server), which sshd runs like any forced command.
   */
  server: 'internal' | { sftpServerPath: string };
  /** -d: the session starts in this folder (it is NOT a jail: see docs/operator-guide-openssh.md) */
  startDir?: string;
  /** -R: read-only (for a source-side key) */
  readOnly?: boolean;
  /** -u: umask for created files, e.g. '022' */
  umask?: string;
}

export function sftpCommand(o: SftpCommandOptions): string {
  const internal = o.server === 'internal';
  const args = [internal ? 'internal-sftp' : shellQuote(absolute((o.server as { sftpServerPath: string }).sftpServerPath, 'sftp-server path'))];
  if (o.startDir) {
    const dir = absolute(o.startDir, 'start folder');
    if (internal) {
      // sshd splits internal-sftp's arguments at spaces with no quoting at all, then expands %-tokens
      // in -d (OpenSSH session.c); so: no whitespace or quotes, and '%' doubled
      if (/[\s'"\\]/.test(dir)) throw new OpenSshError('BAD_OPTION', 'internal-sftp cannot start in a folder whose path has spaces, quotes or backslashes; use the sftp-server binary');
      args.push('-d', dir.replace(/%/g, '%%'));
    } else args.push('-d', shellQuote(dir));
  }
  if (o.readOnly) args.push('-R');
  if (o.umask !== undefined) {
    if (!/^[0-7]{3,4}$/.test(o.umask)) throw new OpenSshError('BAD_OPTION', 'umask must be octal, e.g. 022');
    args.push('-u', o.umask);
  }
  return args.join(' ');
}
