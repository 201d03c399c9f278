import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeSecretFile } from '@ferry/crypto/node';
import { fingerprintOfBlob, generateEd25519KeyPair, parseSshKey } from './ssh-key.util';

export interface HostKey {
  privateKey: string;
  fingerprint: string;
}

export const HOST_KEY_FILE = 'ssh_host_ed25519_key';

/**
 * The embedded server's host key, generated once into the plugin's data folder (0600) so that the
 * fingerprint pinned in a source's forPeer stays valid across gateway restarts.
 */
export async function loadOrCreateHostKey(dataDir: string): Promise<HostKey> {
  const file = path.join(dataDir, HOST_KEY_FILE);
  let privateKey: string;
  try {
    privateKey = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    privateKey = generateEd25519KeyPair('ferry-sftp-host').privateKey;
    await writeSecretFile(file, privateKey);
  }
  const key = parseSshKey(privateKey, `host key ${file}`);
  return { privateKey, fingerprint: fingerprintOfBlob(key.getPublicSSH()) };
}
