import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import type { SigningPrimitives } from './signing-primitives';

// DER prefixes that wrap a raw Ed25519 key as SPKI (public) and PKCS#8 (private seed)
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
/** keys are few (the core's, one per provider); the bound only stops a flood of bogus keys */
const MAX_CACHED = 1024;

function cached(cache: Map<string, KeyObject>, raw: Uint8Array, make: () => KeyObject): KeyObject {
  const id = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64');
  let k = cache.get(id);
  if (!k) {
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(id, (k = make()));
  }
  return k;
}

const publicKeys = new Map<string, KeyObject>();
const privateKeys = new Map<string, KeyObject>();

/** node:crypto (OpenSSL) Ed25519 and SHA-512, byte-for-byte the same results as tweetnacl. */
export const nodeSigningPrimitives: SigningPrimitives = {
  sign(message, secretKey) {
    const seed = secretKey.subarray(0, 32);
    const key = cached(privateKeys, secretKey, () =>
      createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' }),
    );
    return new Uint8Array(sign(null, message, key));
  },
  verify(message, signature, publicKey) {
    if (publicKey.length !== 32 || signature.length !== 64) return false;
    let key: KeyObject;
    try {
      key = cached(publicKeys, publicKey, () => createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' }));
    } catch {
      return false;
    }
    try {
      return verify(null, message, key, signature);
    } catch {
      return false;
    }
  },
  sha512: (bytes) => new Uint8Array(createHash('sha512').update(bytes).digest()),
};
