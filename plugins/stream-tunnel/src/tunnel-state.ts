import { ListenerPeer, parseListenerPeer } from './leg-protocol';

/** The plugin-private state persisted with a tunnel (no secrets: those are in ctx.secrets). */
export interface TunnelState {
  accessPoint?: string;
  lifetimeMinutes?: number;
  /** listener side: the target as asked, and parsed */
  target?: string;
  targetHost?: string;
  targetPort?: number;
  /** set by trigger: lifetime counts from the trigger */
  expiresAt?: string;
  /** initiator side: the listener's data port and pinned fingerprint, for reconnecting after a restart */
  peer?: ListenerPeer;
  /** initiator side: the port applications use; re-opened after a restart */
  listenPort?: number;
}

export function readTunnelState(s: Readonly<Record<string, unknown>>): TunnelState {
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  return {
    accessPoint: str(s.accessPoint),
    lifetimeMinutes: num(s.lifetimeMinutes),
    target: str(s.target),
    targetHost: str(s.targetHost),
    targetPort: num(s.targetPort),
    expiresAt: str(s.expiresAt),
    peer: parseListenerPeer(s.peer as Record<string, unknown> | undefined) ?? undefined,
    listenPort: num(s.listenPort),
  };
}
