import nacl from 'tweetnacl';
import { toHex, utf8Encode } from '@ferry/crypto';
import type { TransferView } from '@ferry/contracts';
import { idbAllByIndex, idbDelete, idbPut, STORE_PENDING } from '../keys/idb.util';

/**
 * A negotiation the core answered (AWAITING_TRIGGER) that this browser has not triggered yet.
 * It holds only what the core returned: public parameters, signatures and ciphertext. Finishing
 * it needs the secret key, which is in the key store, not here.
 */
export interface PendingNegotiation {
  id: string;
  /** which signed-in user prepared it (a hash of the token, never the token itself) */
  owner: string;
  transfer: TransferView;
  createdAt: string;
}

/** A stable, non-secret tag for the token's user, so one browser shared by two people keeps their lists apart. */
export function ownerTag(token: string): string {
  return toHex(nacl.hash(utf8Encode(`ferry-web-owner:${token}`))).slice(0, 32);
}

export async function savePending(owner: string, transfer: TransferView): Promise<void> {
  const p: PendingNegotiation = { id: transfer.id, owner, transfer, createdAt: new Date().toISOString() };
  await idbPut(STORE_PENDING, p);
}

export function listPending(owner: string): Promise<PendingNegotiation[]> {
  return idbAllByIndex<PendingNegotiation>(STORE_PENDING, 'owner', owner);
}

export function removePending(id: string): Promise<void> {
  return idbDelete(STORE_PENDING, id);
}
