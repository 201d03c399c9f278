import { execFile } from 'node:child_process';
import type { Stats } from 'node:fs';
import { promisify } from 'node:util';
import { MechanismError } from '@ferry/plugin-sdk';
import { lookupAccount, type LocalAccount } from './account.util';

const run = promisify(execFile);

/**
 * The local account a transfer's identity maps to, for mechanisms that let the peer in through
 * sshd as that account. Refused (REJECTED, at negotiation) when it does not exist or is uid 0:
 * ferry never hands a peer a key for root.
 */
export async function mappedAccount(identity: { name: string; account: string }, mechanism: string): Promise<LocalAccount> {
  let account: LocalAccount;
  try {
    account = await lookupAccount(identity.account);
  } catch {
    throw new MechanismError('REJECTED', `identity ${identity.name} maps to account '${identity.account}', which does not exist here`);
  }
  if (account.uid === 0) throw new MechanismError('REJECTED', `${mechanism} transfers never write as root; map the identity to an ordinary account`);
  return account;
}

/**
 * Whether `account` may create files in `dir` (whose stat is `st`): the mode bits first; when they
 * say no and the gateway runs as root, ask the system as that account (ACLs included).
 */
export async function accountCanWrite(dir: string, st: Stats, account: LocalAccount): Promise<boolean> {
  const bits = st.uid === account.uid ? 0o300 : account.groups.includes(st.gid) ? 0o030 : 0o003;
  if ((st.mode & bits) === bits) return true;
  if (process.getuid?.() !== 0) return false;
  try {
    await run('runuser', ['-u', account.name, '--', 'test', '-w', dir, '-a', '-x', dir]);
    return true;
  } catch {
    return false;
  }
}
