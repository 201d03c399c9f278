import { fromBase64 } from '@ferry/crypto';

/** True when `k` is canonical base64 of exactly `length` bytes (both X25519 and Ed25519 public keys are 32). */
export function isBase64Key(k: unknown, length: number): boolean {
  const b = fromBase64(k);
  return !!b && b.length === length;
}
