import nacl from 'tweetnacl';
import { canonicalJson, fromBase64, toBase64, utf8Encode } from './encoding.util';
import { decodeSignPublicKey, decodeSignSecretKey } from './keys';
import { signingPrimitives } from './signing-primitives';

/** Ed25519 detached signature over the canonical JSON of `value`, base64. */
export function signObject(value: unknown, signSecretKey: string): string {
  const sig = signingPrimitives().sign(utf8Encode(canonicalJson(value)), decodeSignSecretKey(signSecretKey));
  return toBase64(sig);
}

/** True when `signature` is a valid Ed25519 signature by `signPublicKey` over canonical JSON of `value`. */
export function verifyObject(value: unknown, signature: unknown, signPublicKey: string): boolean {
  const sig = fromBase64(signature);
  if (!sig || sig.length !== nacl.sign.signatureLength) return false;
  let pk: Uint8Array;
  try {
    pk = decodeSignPublicKey(signPublicKey);
  } catch {
    return false;
  }
  return signingPrimitives().verify(utf8Encode(canonicalJson(value)), sig, pk);
}

/** Random token, base64url without padding; used for one-time grant and trigger tokens. */
export function randomToken(bytes = 32): string {
  return toBase64(nacl.randomBytes(bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
