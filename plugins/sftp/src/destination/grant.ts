/**
 * One transfer's permission to upload into the destination folder. Persisted in the destination
 * handle's state (it holds no secret: only the sha256 of the grant token; the token itself is in
 * ctx.secrets so a retried prepare can hand out the same forPeer).
 */
export interface Grant {
  transferId: string;
  /** SSH user name the source logs in with; random, not secret */
  username: string;
  /** authorized_keys line of the source's ephemeral Ed25519 key */
  sshPublicKey: string;
  /** sha256 hex of the grant token (second authentication step) */
  tokenHash: string;
  /** the destination folder: the session's '/' */
  root: string;
  /** the local account of the transfer's identity (what an OpenSSH backend logs the source in as) */
  account: string;
  /** where the source connects from, when known (the OpenSSH backend writes them as from="...") */
  sourceAddresses?: string[];
  status: 'pending' | 'active' | 'revoked';
  /** a pending grant cannot be activated after this (the transfer's trigger deadline) */
  activateBy: string;
  activatedAt?: string;
  /** an active grant stops working at this time */
  expiresAt?: string;
  revokedAt?: string;
}

/** Whether the grant opens a session right now. */
export function isGrantUsable(g: Grant | undefined, now: Date): g is Grant {
  return !!g && g.status === 'active' && !!g.expiresAt && now.getTime() < Date.parse(g.expiresAt);
}

export function readGrant(state: Readonly<Record<string, unknown>>): Grant | undefined {
  const g = state.grant as Grant | undefined;
  return g && typeof g.username === 'string' && typeof g.tokenHash === 'string' ? g : undefined;
}
