import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { isValidTransferId } from './authorized-key-line.util';
import { shellQuote } from './forced-command.util';
import { OpenSshError } from './openssh.error';

/**
 * Revoking a key stops new logins, not sessions already open. To end those, ferry tags the forced
 * command with the transfer id in its environment:
 *
 *   command="/usr/bin/env FERRY_TRANSFER_ID=<id> '/usr/bin/rrsync' -wo ... '<dir>'"
 *
 * `env` execs the real command and everything it execs or forks (rrsync → rsync --server and its
 * children) inherits the variable, so /proc/<pid>/environ names the transfer. endTaggedSessions
 * finds exactly those processes and ends them. Reading another user's environ needs root (or the
 * same user) and Linux's /proc; elsewhere it finds nothing and says so.
 *
 * (internal-sftp cannot be tagged: sshd recognizes it only when the command *starts* with
 * "internal-sftp" and runs it in-process. Use the sftp-server binary when sessions must be ended.)
 */
export const TRANSFER_ENV = 'FERRY_TRANSFER_ID';

export function taggedCommand(transferId: string, command: string, envPath = '/usr/bin/env'): string {
  if (!isValidTransferId(transferId)) throw new OpenSshError('BAD_OPTION', 'transfer id must be 1-128 characters of [A-Za-z0-9._-]');
  if (/^\s*internal-sftp(\s|$)/.test(command)) throw new OpenSshError('BAD_OPTION', 'internal-sftp runs inside sshd and cannot be tagged; use the sftp-server binary');
  if (!path.isAbsolute(envPath)) throw new OpenSshError('BAD_OPTION', 'env path must be absolute');
  return `${shellQuote(envPath)} ${TRANSFER_ENV}=${transferId} ${command}`;
}

/** Pids of live processes tagged with this transfer (optionally only those of one uid). */
export async function findTaggedSessions(transferId: string, opts: { uid?: number } = {}): Promise<number[]> {
  if (!isValidTransferId(transferId)) return [];
  const needle = Buffer.from(`\0${TRANSFER_ENV}=${transferId}\0`);
  let entries: string[];
  try {
    entries = await fs.readdir('/proc');
  } catch {
    return []; // no procfs
  }
  const pids: number[] = [];
  for (const e of entries) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      if (opts.uid !== undefined && (await fs.stat(`/proc/${e}`)).uid !== opts.uid) continue;
      const env = await fs.readFile(`/proc/${e}/environ`);
      // environ is NUL-separated without a leading NUL: add one so the first variable matches too
      if (Buffer.concat([Buffer.from([0]), env, Buffer.from([0])]).includes(needle)) pids.push(Number(e));
    } catch {
      /* gone, or not ours to read */
    }
  }
  return pids;
}

/**
 * The sshd process that serves the connection a tagged process belongs to: the nearest ancestor
 * named sshd (sshd-session from OpenSSH 9.8) that runs as `uid`. That is the per-connection child
 * sshd drops to the account; the listener and the privileged monitor run as root and are never
 * returned. Without a uid (or for uid 0) nothing is returned.
 */
async function sshdConnectionOf(pid: number, uid: number | undefined): Promise<number | undefined> {
  if (uid === undefined || uid === 0) return undefined;
  let cur = pid;
  for (let depth = 0; depth < 8; depth++) {
    let ppid: number;
    try {
      const status = await fs.readFile(`/proc/${cur}/status`, 'utf8');
      ppid = Number(/^PPid:\s*(\d+)/m.exec(status)?.[1] ?? 0);
    } catch {
      return undefined;
    }
    if (ppid <= 1) return undefined;
    try {
      const comm = (await fs.readFile(`/proc/${ppid}/comm`, 'utf8')).trim();
      if (comm === 'sshd' || comm === 'sshd-session') return (await fs.stat(`/proc/${ppid}`)).uid === uid ? ppid : undefined;
    } catch {
      return undefined;
    }
    cur = ppid;
  }
  return undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Ends every process tagged with this transfer: SIGTERM (rsync keeps its partial file and exits),
 * then SIGKILL whatever is left after `graceMs`. With `uid`, the SSH connections they run in are
 * ended too: sshd checks keys only at login, so a connection left open could otherwise start the
 * forced command again on a new channel after the key was removed. Resolves when none is left;
 * returns the pids.
 */
export async function endTaggedSessions(transferId: string, opts: { uid?: number; graceMs?: number } = {}): Promise<number[]> {
  const ended = new Set<number>();
  const connections = new Set<number>();
  const deadline = Date.now() + (opts.graceMs ?? 5000);
  let signal: NodeJS.Signals = 'SIGTERM';
  for (let round = 0; round < 200; round++) {
    const tagged = await findTaggedSessions(transferId, opts);
    for (const pid of tagged) {
      const conn = await sshdConnectionOf(pid, opts.uid);
      if (conn !== undefined) connections.add(conn);
    }
    // connections first: no new channel can start between ending the commands and the connection
    const pids = [...[...connections].filter(alive), ...tagged];
    if (pids.length === 0) break;
    if (Date.now() > deadline) signal = 'SIGKILL';
    for (const pid of pids) {
      if (ended.has(pid) && signal === 'SIGTERM') continue;
      ended.add(pid);
      try {
        process.kill(pid, signal);
      } catch {
        /* exited meanwhile */
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return [...ended];
}
