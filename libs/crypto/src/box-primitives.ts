import nacl from 'tweetnacl';

/**
 * The two X25519 operations behind sealed envelopes. The default is tweetnacl (pure JavaScript,
 * runs in the browser); '@ferry/crypto/node' installs node:crypto's (OpenSSL) X25519 when it is
 * imported: the same bytes, but a sealed envelope costs a gateway's prepare about a tenth of the
 * time (tweetnacl's two scalar multiplications were 1.5-2 ms of it; docs/performance.md).
 */
export interface BoxPrimitives {
  /** a fresh X25519 key pair (tweetnacl's layout: 32-byte secret and public keys) */
  keyPair(): { publicKey: Uint8Array; secretKey: Uint8Array };
  /** nacl.box.before: the precomputed key of a box between `publicKey` and `secretKey` */
  before(publicKey: Uint8Array, secretKey: Uint8Array): Uint8Array;
}

export const tweetnaclBoxPrimitives: BoxPrimitives = {
  keyPair: () => nacl.box.keyPair(),
  before: (publicKey, secretKey) => nacl.box.before(publicKey, secretKey),
};

let current: BoxPrimitives = tweetnaclBoxPrimitives;

export function boxPrimitives(): BoxPrimitives {
  return current;
}

/** Replaces the primitives for this process (they must give the same results as tweetnacl's). */
export function setBoxPrimitives(p: BoxPrimitives): void {
  current = p;
}
