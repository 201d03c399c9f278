import nacl from 'tweetnacl';
import { fromBase64, toBase64, toHex, utf8Encode } from './encoding.util';
import { decodeSignPublicKey, decodeSignSecretKey } from './keys';
import { CryptoError } from './crypto.error';
import { signingPrimitives } from './signing-primitives';

/**
 * Signed HTTP calls between the core and gateways.
 * Signature = Ed25519 over `METHOD\nPATH\nTIMESTAMP\nNONCE\nSHA512(body) hex`.
 * PATH includes the query string. The body hash is SHA-512 (tweetnacl's hash) so that no
 * Node-only API is needed.
 */
export const SIGNATURE_HEADERS = {
  keyId: 'x-ferry-key-id',
  timestamp: 'x-ferry-timestamp',
  nonce: 'x-ferry-nonce',
  signature: 'x-ferry-signature',
} as const;

/** How far a signed request's timestamp may differ from the receiver's clock. */
export const DEFAULT_SIGNATURE_WINDOW_MS = 60_000;

export interface SignedHeaders {
  'x-ferry-key-id': string;
  'x-ferry-timestamp': string;
  'x-ferry-nonce': string;
  'x-ferry-signature': string;
}

function canonicalRequest(method: string, path: string, timestamp: string, nonce: string, body: Uint8Array | string) {
  const bytes = typeof body === 'string' ? utf8Encode(body) : body;
  return utf8Encode(`${method.toUpperCase()}\n${path}\n${timestamp}\n${nonce}\n${toHex(signingPrimitives().sha512(bytes))}`);
}

export function signRequest(args: {
  method: string;
  path: string;
  body: Uint8Array | string;
  keyId: string;
  signSecretKey: string;
  now?: number;
}): SignedHeaders {
  const timestamp = String(args.now ?? Date.now());
  const nonce = toBase64(nacl.randomBytes(18));
  const sig = signingPrimitives().sign(
    canonicalRequest(args.method, args.path, timestamp, nonce, args.body),
    decodeSignSecretKey(args.signSecretKey),
  );
  return {
    'x-ferry-key-id': args.keyId,
    'x-ferry-timestamp': timestamp,
    'x-ferry-nonce': nonce,
    'x-ferry-signature': toBase64(sig),
  };
}

/** Remembers nonces for at least the signature window; `remember` returns false for a nonce seen before. */
export interface NonceStore {
  remember(keyId: string, nonce: string, expiresAtMs: number): Promise<boolean> | boolean;
}

/** In-process nonce store; the core on several replicas uses a database-backed one instead. */
export class MemoryNonceStore implements NonceStore {
  private readonly seen = new Map<string, number>();
  private lastSweep = 0;

  remember(keyId: string, nonce: string, expiresAtMs: number): boolean {
    const now = Date.now();
    if (now - this.lastSweep > 10_000) {
      for (const [k, exp] of this.seen) if (exp < now) this.seen.delete(k);
      this.lastSweep = now;
    }
    const key = `${keyId}\n${nonce}`;
    if (this.seen.has(key)) return false;
    this.seen.set(key, expiresAtMs);
    return true;
  }
}

/** Lower-cased header lookup that works for Node's IncomingHttpHeaders and plain objects. */
function header(headers: Record<string, unknown>, name: string): string | undefined {
  const v = headers[name] ?? headers[name.toLowerCase()];
  if (Array.isArray(v)) return typeof v[0] === 'string' ? v[0] : undefined;
  return typeof v === 'string' ? v : undefined;
}

/** The key id a request claims, so the receiver can look up which public key to verify with. */
export function requestKeyId(headers: Record<string, unknown>): string | undefined {
  return header(headers, SIGNATURE_HEADERS.keyId);
}

/**
 * Verifies a signed request. Throws CryptoError MISSING_HEADERS, STALE_TIMESTAMP (message says the skew),
 * BAD_SIGNATURE or REPLAYED_NONCE. The nonce is remembered only after the signature checks out, so a
 * forger cannot burn nonces.
 */
export async function verifyRequest(args: {
  method: string;
  path: string;
  body: Uint8Array | string;
  headers: Record<string, unknown>;
  signPublicKey: string;
  nonces: NonceStore;
  now?: number;
  windowMs?: number;
}): Promise<{ keyId: string }> {
  const keyId = header(args.headers, SIGNATURE_HEADERS.keyId);
  const ts = header(args.headers, SIGNATURE_HEADERS.timestamp);
  const nonce = header(args.headers, SIGNATURE_HEADERS.nonce);
  const sigB64 = header(args.headers, SIGNATURE_HEADERS.signature);
  if (!keyId || !ts || !nonce || !sigB64) {
    throw new CryptoError('MISSING_HEADERS', 'request is not signed (x-ferry-* headers missing)');
  }
  const now = args.now ?? Date.now();
  const window = args.windowMs ?? DEFAULT_SIGNATURE_WINDOW_MS;
  const tsNum = Number(ts);
  if (!Number.isFinite(tsNum) || !/^\d+$/.test(ts)) throw new CryptoError('MISSING_HEADERS', 'bad timestamp header');
  const skew = tsNum - now;
  if (Math.abs(skew) > window) {
    throw new CryptoError(
      'STALE_TIMESTAMP',
      `request timestamp is ${Math.round(Math.abs(skew) / 1000)} s ${skew > 0 ? 'ahead of' : 'behind'} this clock (allowed ±${window / 1000} s): check the clocks (NTP) on both machines`,
    );
  }
  const sig = fromBase64(sigB64);
  if (!sig || sig.length !== nacl.sign.signatureLength) throw new CryptoError('BAD_SIGNATURE', 'malformed signature');
  const ok = signingPrimitives().verify(
    canonicalRequest(args.method, args.path, ts, nonce, args.body),
    sig,
    decodeSignPublicKey(args.signPublicKey),
  );
  if (!ok) throw new CryptoError('BAD_SIGNATURE', 'request signature does not verify');
  const fresh = await args.nonces.remember(keyId, nonce, tsNum + window * 2);
  if (!fresh) throw new CryptoError('REPLAYED_NONCE', 'request nonce was already used (replay)');
  return { keyId };
}
