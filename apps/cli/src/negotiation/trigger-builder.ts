import { open, seal, CryptoError } from '@ferry/crypto';
import type { Offer, SealedParams, TransferView, TriggerPayload, TriggerRequest, TransferRole } from '@ferry/contracts';
import { NegotiationError } from './negotiation.error';
import { TrustedProviderKeys, verifyOffer } from './offer-verification';

/** The researcher's X25519 key pair (base64), as in ~/.config/ferry/key.json or the browser's store. */
export interface ResearcherKeyPair {
  publicKey: string;
  secretKey: string;
}

export interface OpenedOffer {
  offer: Offer;
  params: SealedParams;
}

/** Opens an offer's sealed parameters; the envelope must be bound to this transfer and this role. */
export function openOffer(transferId: string, offer: Offer, key: ResearcherKeyPair): SealedParams {
  try {
    return open<SealedParams>(offer.sealed, key.secretKey, { transferId, role: offer.role, purpose: 'params' });
  } catch (e) {
    if (e instanceof CryptoError) {
      throw new NegotiationError('OFFER_UNREADABLE', `cannot open the ${offer.role} offer from ${offer.providerId}: ${e.message}`);
    }
    throw e;
  }
}

/** Transfer roles that get a trigger, in the order the core relays them. */
const TRANSFER_ROLES: TransferRole[] = ['destination', 'source'];

/**
 * Builds the triggers from opened offers: for each gateway X, TriggerPayload{X's triggerToken,
 * peer = the OTHER gateway's forPeer} sealed to X's box key, bound to {transferId, X's role, 'trigger'}.
 * A lone source offer (mechanism without a destination step) gets an empty peer.
 */
export function buildTriggers(
  transferId: string,
  opened: OpenedOffer[],
  extra?: Partial<Record<TransferRole, Record<string, unknown>>>,
): TriggerRequest {
  const byRole = new Map(opened.map((o) => [o.offer.role, o]));
  if (!byRole.has('source')) throw new NegotiationError('OFFER_MISSING', 'the transfer has no source offer');
  const triggers: TriggerRequest['triggers'] = [];
  for (const role of TRANSFER_ROLES) {
    const mine = byRole.get(role);
    if (!mine) continue;
    const other = byRole.get(role === 'source' ? 'destination' : 'source');
    const payload: TriggerPayload = {
      triggerToken: mine.params.triggerToken,
      peer: other?.params.forPeer ?? {},
      ...(extra?.[role] ? { user: extra[role] } : {}),
    };
    triggers.push({
      role,
      envelope: seal(payload, mine.offer.gateway.boxPublicKey, { transferId, role, purpose: 'trigger' }),
    });
  }
  return { triggers };
}

/**
 * The whole researcher-side step between "core answered" and "post the trigger": verify every offer
 * against the trusted provider keys, open them, and build the sealed triggers.
 * `trusted` maps provider id -> keys (e.g. from GET /api/providers). `user` adds researcher-chosen
 * values to a role's TriggerPayload.user (a tunnel's secret goes to both). Pure: no I/O.
 * Works for transfers and tunnels alike (a TunnelView has the same id, state and offers).
 */
export function negotiateTriggers(
  transfer: Pick<TransferView, 'id' | 'state' | 'offers'>,
  key: ResearcherKeyPair,
  trusted: Record<string, TrustedProviderKeys>,
  user?: Partial<Record<TransferRole, Record<string, unknown>>>,
): { request: TriggerRequest; opened: OpenedOffer[] } {
  if (transfer.state !== 'AWAITING_TRIGGER') {
    throw new NegotiationError('WRONG_STATE', `transfer ${transfer.id} is ${transfer.state}, not AWAITING_TRIGGER`);
  }
  const offers = transfer.offers.filter((o) => o.role === 'source' || o.role === 'destination');
  const opened = offers.map((offer) => {
    verifyOffer(transfer.id, offer, key.publicKey, trusted[offer.providerId]);
    return { offer, params: openOffer(transfer.id, offer, key) };
  });
  return { request: buildTriggers(transfer.id, opened, user), opened };
}
