import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { OpenSshError } from './openssh.error';

const run = promisify(execFile);

/** A local POSIX account as the system's user database (getent) knows it. */
export interface LocalAccount {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
  /** every group id the account belongs to (primary first) */
  groups: number[];
}

/**
 * Account names that are safe as a file name in the authorized-keys folder and as an ssh user:
 * the portable POSIX set (letters, digits, '.', '_', '-'; not starting with '-' or '.'), plus
 * Samba's trailing '$'. At most 32 characters, like useradd.
 */
const ACCOUNT_NAME = /^[A-Za-z_][A-Za-z0-9._-]{0,30}\$?$/;

export function assertAccountName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !ACCOUNT_NAME.test(name)) {
    throw new OpenSshError('BAD_ACCOUNT', `not a safe local account name: ${JSON.stringify(String(name).slice(0, 40))}`);
  }
}

/** Looks the account up (getent passwd + id -G). Throws BAD_ACCOUNT when it does not exist. */
export async function lookupAccount(name: string): Promise<LocalAccount> {
  assertAccountName(name);
  let line: string;
  try {
    line = (await run('getent', ['passwd', name], { encoding: 'utf8' })).stdout.trim().split('\n')[0];
  } catch {
    throw new OpenSshError('BAD_ACCOUNT', `no local account named ${name}`);
  }
  const f = line.split(':');
  if (f.length < 7 || f[0] !== name) throw new OpenSshError('BAD_ACCOUNT', `no local account named ${name}`);
  const uid = Number(f[2]);
  const gid = Number(f[3]);
  let groups = [gid];
  try {
    const ids = (await run('id', ['-G', name], { encoding: 'utf8' })).stdout.trim().split(/\s+/).map(Number);
    groups = [gid, ...ids.filter((g) => g !== gid && Number.isInteger(g))];
  } catch {
    /* primary group only */
  }
  return { name, uid, gid, home: f[5], shell: f[6], groups };
}
