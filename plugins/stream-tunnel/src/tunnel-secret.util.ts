import * as crypto from 'node:crypto';

/**
 * The per-tunnel secret is chosen by the researcher (32 random bytes, base64) and reaches both
 * gateways only inside their sealed triggers (TriggerPayload.user.tunnelSecret). It never crosses
 * the wire between the gateways: each connection proves knowledge of it by answering a fresh
 * nonce from the listener with HMAC-SHA256(secret, nonce || 0 || tunnelId || 0 || direction).
 * The direction label keeps an answer from ever being reflected back the other way.
 */
export const DIRECTION_INITIATOR_TO_LISTENER = 'initiator->listener';
export const NONCE_BYTES = 32;
export const SECRET_MIN_BYTES = 32;

/** Decode and check a researcher-supplied secret; null when it is missing or too short. */
export function decodeTunnelSecret(value: unknown): Buffer | null {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) return null;
  const bytes = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return bytes.length >= SECRET_MIN_BYTES ? bytes : null;
}

export function challengeAnswer(secret: Buffer, nonce: Buffer, tunnelId: string, direction = DIRECTION_INITIATOR_TO_LISTENER): Buffer {
  return crypto
    .createHmac('sha256', secret)
    .update(Buffer.concat([nonce, Buffer.from([0]), Buffer.from(tunnelId, 'utf8'), Buffer.from([0]), Buffer.from(direction, 'utf8')]))
    .digest();
}

/** Constant-time comparison of a received answer (base64) with the expected one. */
export function answerMatches(expected: Buffer, receivedB64: unknown): boolean {
  if (typeof receivedB64 !== 'string') return false;
  const got = Buffer.from(receivedB64, 'base64');
  return got.length === expected.length && crypto.timingSafeEqual(got, expected);
}

/**
 * The LAN secret local applications send first when their access point asks for one. The
 * researcher may choose it (user.lanSecret); otherwise it is derived from the tunnel secret, so a
 * client that knows the tunnel secret (the CLI) can compute it: base64url(HMAC(secret, label)).
 */
export function deriveLanSecret(secret: Buffer, tunnelId: string): string {
  return crypto.createHmac('sha256', secret).update(`ferry-lan-secret\0${tunnelId}`).digest('base64url');
}

export function sameText(a: string, b: string): boolean {
  const x = crypto.createHash('sha256').update(a).digest();
  const y = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(x, y);
}
