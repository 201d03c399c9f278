import nacl from 'tweetnacl';
import { fromBase64, toBase64, utf8Decode, utf8Encode } from './encoding.util';
import { decodeBoxPublicKey, decodeBoxSecretKey } from './keys';
import { boxPrimitives } from './box-primitives';
import { CryptoError } from './crypto.error';

export const ENVELOPE_ALG = 'x25519-xsalsa20-poly1305';

/** A sealed box: only the holder of the recipient's secret key can open it. */
export interface Envelope {
  v: 1;
  alg: typeof ENVELOPE_ALG;
  /** ephemeral X25519 public key, base64 */
  epk: string;
  /** 24-byte nonce, base64 */
  nonce: string;
  /** ciphertext, base64 */
  ct: string;
}

/** What an envelope is bound to. Opening checks both, so an envelope cannot be replayed elsewhere. */
export interface EnvelopeBinding {
  transferId: string;
  /** 'source' | 'destination' for transfers, 'initiator' | 'listener' for tunnels, or 'user' */
  role: string;
  /** which direction: sealed *to* the user by a gateway, or *to* a gateway by the user */
  purpose: 'params' | 'trigger';
}

interface Plaintext<T> {
  transferId: string;
  role: string;
  purpose: string;
  payload: T;
}

export function seal<T>(payload: T, recipientPublicKey: string, binding: EnvelopeBinding): Envelope {
  const recipient = decodeBoxPublicKey(recipientPublicKey, 'recipient public key');
  const box = boxPrimitives();
  const eph = box.keyPair();
  const nonce = nacl.randomBytes(nacl.box.nonceLength);
  const plain: Plaintext<T> = { ...binding, payload };
  const ct = nacl.box.after(utf8Encode(JSON.stringify(plain)), nonce, box.before(recipient, eph.secretKey));
  return { v: 1, alg: ENVELOPE_ALG, epk: toBase64(eph.publicKey), nonce: toBase64(nonce), ct: toBase64(ct) };
}

/** Shape check only; says nothing about whether it opens. */
export function isEnvelope(x: unknown): x is Envelope {
  if (!x || typeof x !== 'object') return false;
  const e = x as Record<string, unknown>;
  return (
    e.v === 1 &&
    e.alg === ENVELOPE_ALG &&
    typeof e.epk === 'string' &&
    typeof e.nonce === 'string' &&
    typeof e.ct === 'string'
  );
}

/**
 * Opens an envelope with the recipient's secret key and checks its binding.
 * Throws CryptoError BAD_ENVELOPE, BAD_KEY, DECRYPT_FAILED or WRONG_BINDING.
 */
export function open<T>(envelope: unknown, recipientSecretKey: string, expected: EnvelopeBinding): T {
  if (!isEnvelope(envelope)) throw new CryptoError('BAD_ENVELOPE', 'not a v1 sealed envelope');
  const sk = decodeBoxSecretKey(recipientSecretKey);
  const epk = fromBase64(envelope.epk);
  const nonce = fromBase64(envelope.nonce);
  const ct = fromBase64(envelope.ct);
  if (!epk || epk.length !== nacl.box.publicKeyLength || !nonce || nonce.length !== nacl.box.nonceLength || !ct) {
    throw new CryptoError('BAD_ENVELOPE', 'envelope fields are not valid base64 of the right length');
  }
  const plainBytes = nacl.box.open.after(ct, nonce, boxPrimitives().before(epk, sk));
  if (!plainBytes) throw new CryptoError('DECRYPT_FAILED', 'envelope does not open with this key');
  let plain: Plaintext<T>;
  try {
    plain = JSON.parse(utf8Decode(plainBytes)) as Plaintext<T>;
  } catch {
    throw new CryptoError('BAD_ENVELOPE', 'envelope plaintext is not JSON');
  }
  if (
    plain.transferId !== expected.transferId ||
    plain.role !== expected.role ||
    plain.purpose !== expected.purpose
  ) {
    throw new CryptoError(
      'WRONG_BINDING',
      `envelope is bound to ${plain.purpose}/${plain.role} of ${plain.transferId}, expected ${expected.purpose}/${expected.role} of ${expected.transferId}`,
    );
  }
  return plain.payload;
}
