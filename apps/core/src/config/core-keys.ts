import { decodeSignPublicKey, decodeSignSecretKey, generateSigningKeyPair, SigningKeyPair } from '@ferry/crypto';
import { loadOrCreateKeyFile } from '@ferry/crypto/node';
import { ConfigError } from './core-config';

/** The core's Ed25519 signing key pair (secret: never logged). */
export type CoreKeys = SigningKeyPair;

/** DI token for CoreKeys. */
export const CORE_KEYS = Symbol('CORE_KEYS');

/** Loads FERRY_CORE_KEY_FILE, creating it (0600) on first start; refuses a malformed file. */
export async function loadCoreKeys(file: string): Promise<CoreKeys> {
  const keys = await loadOrCreateKeyFile<CoreKeys>(file, generateSigningKeyPair);
  try {
    decodeSignPublicKey(keys?.publicKey, 'publicKey');
    decodeSignSecretKey(keys?.secretKey, 'secretKey');
  } catch (e) {
    throw new ConfigError(`core key file ${file} is not a valid Ed25519 key pair: ${(e as Error).message}`);
  }
  return { publicKey: keys.publicKey, secretKey: keys.secretKey };
}
