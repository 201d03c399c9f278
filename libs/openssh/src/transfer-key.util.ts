import type { PluginLogger } from '@ferry/plugin-sdk';
import { lookupAccount } from './account.util';
import type { AuthorizedKeysManager, InstalledKey } from './authorized-keys.manager';
import { endTaggedSessions } from './session-process.util';

export interface RevokeTransferKeyOptions {
  /** the account whose file holds the key; without it every file in the folder is searched */
  account?: string;
  /** the account's uid when the caller already knows it (looking it up runs getent and id) */
  uid?: number;
  /**
   * also end the transfer's sessions that are still open on sshd (processes tagged with
   * taggedCommand). Skip it when the key was never installed: it costs a walk through /proc.
   */
  endSessions: boolean;
  logger?: PluginLogger;
}

/**
 * Takes a transfer's access away: removes its key (no new logins) and ends the sessions already
 * open (sshd checks keys only at login). Idempotent; returns what it removed and ended.
 */
export async function revokeTransferKey(
  keys: AuthorizedKeysManager,
  transferId: string,
  o: RevokeTransferKeyOptions,
): Promise<{ removed: InstalledKey[]; ended: number[] }> {
  const removed = await keys.remove(transferId, o.account);
  if (!o.endSessions) return { removed, ended: [] };
  // only the account's processes: a tag in another user's environment is not ours to act on
  const uid = o.uid ?? (o.account ? await lookupAccount(o.account).then((a) => a.uid, () => undefined) : undefined);
  const ended = await endTaggedSessions(transferId, { uid });
  if (ended.length > 0) o.logger?.info('ended sessions of a revoked key', { transferId, processes: ended.length });
  return { removed, ended };
}
