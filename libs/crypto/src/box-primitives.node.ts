import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, type KeyObject } from 'node:crypto';
import nacl from 'tweetnacl';
import type { BoxPrimitives } from './box-primitives';

// DER prefix that wraps a raw X25519 private key as PKCS#8
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
/** HSalsa20's constant, as nacl.box.before uses it to turn the shared point into a key */
const SIGMA = new Uint8Array(Buffer.from('expand 32-byte k', 'latin1'));
const ZERO_NONCE = new Uint8Array(16);
/** tweetnacl's HSalsa20 core (exported at runtime, missing from its type declarations) */
const hsalsa20 = (nacl as unknown as {
  lowlevel: { crypto_core_hsalsa20(out: Uint8Array, input: Uint8Array, key: Uint8Array, constant: Uint8Array): number };
}).lowlevel.crypto_core_hsalsa20;

/** keys are few (a gateway's own, a researcher's); the bound only stops a flood of bogus keys */
const MAX_CACHED = 1024;
const privateKeys = new Map<string, KeyObject>();
/** the OpenSSL key behind each secret keyPair() handed out, so that sealing does not import it again */
const generated = new WeakMap<Uint8Array, KeyObject>();

// importing a raw private key as PKCS#8 DER costs OpenSSL ~0.4 ms, hence the caches
function privateKey(secret: Uint8Array): KeyObject {
  const mine = generated.get(secret);
  if (mine) return mine;
  const id = Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength).toString('base64');
  let k = privateKeys.get(id);
  if (!k) {
    if (privateKeys.size >= MAX_CACHED) privateKeys.clear();
    privateKeys.set(id, (k = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, secret]), format: 'der', type: 'pkcs8' })));
  }
  return k;
}

/** The raw X25519 shared point (nacl.scalarMult), through OpenSSL. */
function scalarMult(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  try {
    const pub = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(publicKey).toString('base64url') }, format: 'jwk' });
    return new Uint8Array(diffieHellman({ privateKey: privateKey(secretKey), publicKey: pub }));
  } catch {
    // OpenSSL refuses a low-order public key (all-zero shared point), tweetnacl computes it: keep
    // tweetnacl's result so both give the same bytes for every input
    return nacl.scalarMult(secretKey, publicKey);
  }
}

/** node:crypto (OpenSSL) X25519, byte-for-byte the same results as tweetnacl's box.keyPair / box.before. */
export const nodeBoxPrimitives: BoxPrimitives = {
  keyPair() {
    const k = generateKeyPairSync('x25519');
    const der = k.privateKey.export({ format: 'der', type: 'pkcs8' });
    const secretKey = new Uint8Array(der.subarray(der.length - 32));
    const x = k.publicKey.export({ format: 'jwk' }).x!;
    generated.set(secretKey, k.privateKey);
    return { publicKey: new Uint8Array(Buffer.from(x, 'base64url')), secretKey };
  },
  before(publicKey, secretKey) {
    if (publicKey.length !== 32 || secretKey.length !== 32) return nacl.box.before(publicKey, secretKey); // its own errors
    const k = new Uint8Array(32);
    hsalsa20(k, ZERO_NONCE, scalarMult(secretKey, publicKey), SIGMA);
    return k;
  },
};
