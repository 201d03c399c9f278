import { isMechanismError } from '@ferry/plugin-sdk';
import { secretNames } from '../src/secret-names';
import { parseDestinationPeer } from '../src/source/peer-params';
import { connectSftp } from '../src/source/ssh-connector';

/**
 * Logs in the way the source would (pinned host key, ephemeral key, grant token): true when the
 * destination lets it in, false when it refuses the credentials.
 */
export async function probeGrant(forPeer: Record<string, unknown>, transferId: string, sourceSecrets: Record<string, string>): Promise<boolean> {
  const key = sourceSecrets[secretNames.sshKey(transferId)];
  if (!key) throw new Error('the snapshot holds no source key');
  try {
    const conn = await connectSftp(parseDestinationPeer(forPeer), key, new AbortController().signal);
    conn.close();
    return true;
  } catch (e) {
    if (isMechanismError(e) && e.code === 'AUTH_FAILED') return false;
    throw e;
  }
}
