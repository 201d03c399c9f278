/**
 * The gateway-to-gateway leg, one TLS connection per application connection (see docs/tunnels.md
 * for the measurement behind that choice). After the TLS handshake, in JSON lines:
 *
 *   listener  → initiator   {"v":1,"nonce":"<32 random bytes, base64>"}
 *   initiator → listener    {"tunnel":"<tunnel id>","answer":"<HMAC-SHA256(secret, nonce‖0‖id‖0‖direction), base64>"}
 *   listener  → initiator   {"ok":true}   once the target accepted the connection
 *                       or  {"ok":false,"error":"..."} and the listener closes
 *
 * then raw application bytes both ways, half-close and all.
 */
export const LEG_PROTOCOL_VERSION = 1;
export const MAX_HANDSHAKE_LINE = 4096;

export interface NonceMessage {
  v: number;
  nonce: string;
}
export interface AnswerMessage {
  tunnel: string;
  answer: string;
}
export interface ResultMessage {
  ok: boolean;
  error?: string;
}

export const line = (msg: object) => JSON.stringify(msg) + '\n';

/** What the initiator needs to reach the listener: the listener's forPeer, as the researcher relayed it. */
export interface ListenerPeer {
  dataHost: string;
  dataPort: number;
  certFingerprint: string;
  tunnelId: string;
}

export function parseListenerPeer(peer: Record<string, unknown> | undefined): ListenerPeer | null {
  if (!peer) return null;
  const { dataHost, dataPort, certFingerprint, tunnelId } = peer;
  if (typeof dataHost !== 'string' || !dataHost) return null;
  if (typeof dataPort !== 'number' || !Number.isInteger(dataPort) || dataPort < 1 || dataPort > 65535) return null;
  if (typeof certFingerprint !== 'string' || !/^[0-9a-f]{64}$/.test(certFingerprint)) return null;
  if (typeof tunnelId !== 'string' || !tunnelId) return null;
  return { dataHost, dataPort, certFingerprint, tunnelId };
}
