import { toBase64 } from '@ferry/crypto';
import type { TransferRole } from '@ferry/contracts';

/** Bytes of a tunnel secret the researcher's client makes (the stream-tunnel plugin wants at least 32). */
export const TUNNEL_SECRET_BYTES = 32;

/**
 * A fresh per-tunnel secret: 32 random bytes, base64. The client (CLI, web app) makes it and puts it
 * into both sealed triggers; gateways prove knowledge of it on every connection, the core never sees
 * it. Web Crypto's getRandomValues exists in Node 20 and in browsers alike.
 */
export function newTunnelSecret(): string {
  return toBase64(globalThis.crypto.getRandomValues(new Uint8Array(TUNNEL_SECRET_BYTES)));
}

/**
 * TriggerPayload.user for both sides of a tunnel: the same secret for the initiator (source) and the
 * listener (destination); a chosen LAN secret goes to the initiator only.
 */
export function tunnelTriggerUser(tunnelSecret: string, lanSecret?: string): Record<TransferRole, Record<string, unknown>> {
  return {
    source: { tunnelSecret, ...(lanSecret ? { lanSecret } : {}) },
    destination: { tunnelSecret },
  };
}
