import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { generateBoxKeyPair, generateSigningKeyPair, type BoxKeyPair, type SigningKeyPair } from '@ferry/crypto';
import { loadOrCreateKeyFile } from '@ferry/crypto/node';

/** The gateway's long-lived keys: box (triggers are sealed to it) and sign (offers, calls to the core). */
export interface GatewayKeys {
  box: BoxKeyPair;
  sign: SigningKeyPair;
}

export const GATEWAY_KEYS = Symbol('GATEWAY_KEYS');

/**
 * Creates the state folder (0700, also tightened when it already exists: it holds keys and
 * secrets) and loads or creates <stateDir>/box.key.json and sign.key.json (0600).
 */
export async function prepareStateDir(stateDir: string): Promise<GatewayKeys> {
  await fs.mkdir(stateDir, { recursive: true, mode: 0o700 });
  await fs.chmod(stateDir, 0o700);
  for (const sub of ['secrets', 'plugins']) await fs.mkdir(path.join(stateDir, sub), { recursive: true, mode: 0o700 });
  const box = await loadOrCreateKeyFile<BoxKeyPair>(path.join(stateDir, 'box.key.json'), generateBoxKeyPair);
  const sign = await loadOrCreateKeyFile<SigningKeyPair>(path.join(stateDir, 'sign.key.json'), generateSigningKeyPair);
  return { box, sign };
}
