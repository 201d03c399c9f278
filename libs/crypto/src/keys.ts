import nacl from 'tweetnacl';
import { fromBase64, toBase64 } from './encoding.util';
import { CryptoError } from './crypto.error';

/** base64 X25519 key pair for sealed boxes. */
export interface BoxKeyPair {
  publicKey: string;
  secretKey: string;
}
/** base64 Ed25519 key pair for signatures. */
export interface SigningKeyPair {
  publicKey: string;
  secretKey: string;
}

export function generateBoxKeyPair(): BoxKeyPair {
  const kp = nacl.box.keyPair();
  return { publicKey: toBase64(kp.publicKey), secretKey: toBase64(kp.secretKey) };
}

export function generateSigningKeyPair(): SigningKeyPair {
  const kp = nacl.sign.keyPair();
  return { publicKey: toBase64(kp.publicKey), secretKey: toBase64(kp.secretKey) };
}

/** Decodes a base64 key and checks its length; throws CryptoError BAD_KEY with `what` in the message. */
export function decodeKey(b64: unknown, length: number, what: string): Uint8Array {
  const bytes = fromBase64(b64);
  if (!bytes || bytes.length !== length) {
    throw new CryptoError('BAD_KEY', `${what} must be ${length} bytes of base64`);
  }
  return bytes;
}

export const decodeBoxPublicKey = (k: unknown, what = 'box public key') => decodeKey(k, nacl.box.publicKeyLength, what);
export const decodeBoxSecretKey = (k: unknown, what = 'box secret key') => decodeKey(k, nacl.box.secretKeyLength, what);
export const decodeSignPublicKey = (k: unknown, what = 'signing public key') =>
  decodeKey(k, nacl.sign.publicKeyLength, what);
export const decodeSignSecretKey = (k: unknown, what = 'signing secret key') =>
  decodeKey(k, nacl.sign.secretKeyLength, what);

/** True when `k` is a well-formed base64 X25519 public key. */
export function isBoxPublicKey(k: unknown): boolean {
  const b = fromBase64(k);
  return !!b && b.length === nacl.box.publicKeyLength;
}

/** Derives the public half of a box secret key (used when importing a researcher key). */
export function boxKeyPairFromSecret(secretKey: string): BoxKeyPair {
  const kp = nacl.box.keyPair.fromSecretKey(decodeBoxSecretKey(secretKey));
  return { publicKey: toBase64(kp.publicKey), secretKey };
}
