import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunningSshd } from '../setup/sshd-server';
import type { Stack } from './stack.harness';

/**
 * Site B served by a real sshd (the rsync mechanism, sftp's openssh backend): B maps alice to the
 * fixture's throwaway account, which must own B's inbox and be let through the folders above it.
 */
export function openInboxToSshdAccount(stack: Stack, sshd: RunningSshd): void {
  for (let d = stack.dirs.bInbox; d !== path.dirname(d) && d.startsWith(stack.root); d = path.dirname(d)) fs.chmodSync(d, 0o755);
  fs.chmodSync(stack.root, 0o755);
  fs.chownSync(stack.dirs.bInbox, sshd.uid, sshd.gid);
}

/** A new folder in B's inbox owned by the sshd account. */
export function sshdInboxFolder(stack: Stack, sshd: RunningSshd, name: string): string {
  const dir = path.join(stack.dirs.bInbox, name);
  fs.mkdirSync(dir);
  fs.chownSync(dir, sshd.uid, sshd.gid);
  return dir;
}
