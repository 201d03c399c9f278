import { createHash, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from '@ferry/crypto';

export const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** sha256 of canonical JSON: the same value hashes the same whatever order its keys came in. */
export const hashValue = (value: unknown) => sha256Hex(canonicalJson(value));

export function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}
