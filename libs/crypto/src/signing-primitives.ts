import nacl from 'tweetnacl';

/**
 * The Ed25519 and SHA-512 operations behind signObject/verifyObject and signed requests. The
 * default is tweetnacl (pure JavaScript, runs in the browser). '@ferry/crypto/node' installs
 * node:crypto's (OpenSSL) versions when it is imported: same bytes (Ed25519 is deterministic),
 * about 50 times faster, which is what lets the core verify thousands of progress reports a
 * second (docs/performance.md).
 */
export interface SigningPrimitives {
  /** detached signature; `secretKey` is tweetnacl's 64 bytes (seed + public key) */
  sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array;
  verify(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean;
  sha512(bytes: Uint8Array): Uint8Array;
}

export const tweetnaclPrimitives: SigningPrimitives = {
  sign: (message, secretKey) => nacl.sign.detached(message, secretKey),
  verify: (message, signature, publicKey) => nacl.sign.detached.verify(message, signature, publicKey),
  sha512: (bytes) => nacl.hash(bytes),
};

let current: SigningPrimitives = tweetnaclPrimitives;

export function signingPrimitives(): SigningPrimitives {
  return current;
}

/** Replaces the primitives for this process (they must give the same results as tweetnacl's). */
export function setSigningPrimitives(p: SigningPrimitives): void {
  current = p;
}
