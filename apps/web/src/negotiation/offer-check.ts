import { open, seal, verifyObject } from '@ferry/crypto';
import type {
  Offer,
  OfferSigned,
  ProviderView,
  SealedParams,
  TransferRole,
  TransferView,
  TriggerPayload,
  TriggerRequest,
} from '@ferry/contracts';

/**
 * The researcher's half of the negotiation, run in the browser with the secret key:
 * check each gateway's signature over its offer (with the key cross-checked against the
 * provider registry), open the sealed parameters, and seal one trigger per gateway that carries
 * its own trigger token and the *other* gateway's forPeer data. Pure functions: no I/O here.
 */
export class OfferError extends Error {
  readonly code = 'BAD_OFFER';
  constructor(message: string) {
    super(message);
    this.name = 'OfferError';
  }
}

const TRANSFER_ROLES: readonly string[] = ['source', 'destination'];

/** Throws OfferError unless every offer is signed by the gateway the registry knows for its provider. */
export function verifyOffers(transfer: TransferView, userPublicKey: string, providers: ProviderView[]): Offer[] {
  const offers = transfer.offers ?? [];
  if (offers.length === 0) throw new OfferError(`transfer ${transfer.id} carries no offers to trigger`);
  const roles = new Set<string>();
  for (const offer of offers) {
    if (!TRANSFER_ROLES.includes(offer.role)) throw new OfferError(`offer has unexpected role '${offer.role}'`);
    if (roles.has(offer.role)) throw new OfferError(`two offers for role ${offer.role}`);
    roles.add(offer.role);
    const expectedProvider = offer.role === 'source' ? transfer.source.providerId : transfer.destination.providerId;
    if (offer.providerId !== expectedProvider) {
      throw new OfferError(`the ${offer.role} offer comes from ${offer.providerId}, expected ${expectedProvider}`);
    }
    const known = providers.find((p) => p.id === offer.providerId);
    if (!known) throw new OfferError(`provider ${offer.providerId} is not in the registry`);
    if (!known.signPublicKey || known.signPublicKey !== offer.gateway.signPublicKey) {
      throw new OfferError(`the signing key in ${offer.providerId}'s offer is not the one the registry lists`);
    }
    if (!known.boxPublicKey || known.boxPublicKey !== offer.gateway.boxPublicKey) {
      throw new OfferError(`the box key in ${offer.providerId}'s offer is not the one the registry lists`);
    }
    const signed: OfferSigned = {
      transferId: transfer.id,
      role: offer.role,
      providerId: offer.providerId,
      mechanism: offer.mechanism,
      publicParams: offer.publicParams,
      sealed: offer.sealed,
      userPublicKey,
    };
    if (!verifyObject(signed, offer.signature, known.signPublicKey)) {
      throw new OfferError(`the signature on ${offer.providerId}'s ${offer.role} offer does not verify`);
    }
  }
  if (!roles.has('source')) throw new OfferError('no offer from the source provider');
  const mechanisms = new Set(offers.map((o) => o.mechanism));
  if (mechanisms.size !== 1) throw new OfferError(`the providers offer different mechanisms: ${[...mechanisms].join(', ')}`);
  return offers;
}

export interface OpenedOffer {
  offer: Offer;
  params: SealedParams;
}

/** Opens every offer's sealed parameters with the researcher's secret key (binding: transfer, role, 'params'). */
export function openOffers(transferId: string, offers: Offer[], secretKey: string): OpenedOffer[] {
  return offers.map((offer) => {
    const params = open<SealedParams>(offer.sealed, secretKey, { transferId, role: offer.role, purpose: 'params' });
    if (!params || typeof params.triggerToken !== 'string' || typeof params.forPeer !== 'object' || params.forPeer === null) {
      throw new OfferError(`${offer.providerId}'s sealed parameters are missing a trigger token or peer data`);
    }
    return { offer, params };
  });
}

/** One trigger per gateway, sealed to its box key: its own token plus the other side's forPeer. */
export function buildTriggers(transferId: string, opened: OpenedOffer[], user?: Record<string, unknown>): TriggerRequest {
  return {
    triggers: opened.map(({ offer, params }) => {
      const other = opened.find((o) => o.offer.role !== offer.role);
      const payload: TriggerPayload = {
        triggerToken: params.triggerToken,
        peer: other ? other.params.forPeer : {},
        ...(user ? { user } : {}),
      };
      return {
        role: offer.role as TransferRole,
        envelope: seal(payload, offer.gateway.boxPublicKey, { transferId, role: offer.role, purpose: 'trigger' }),
      };
    }),
  };
}

/** verify + open + build, the whole researcher step for one transfer. */
export function prepareTriggers(
  transfer: TransferView,
  key: { publicKey: string; secretKey: string },
  providers: ProviderView[],
): TriggerRequest {
  const offers = verifyOffers(transfer, key.publicKey, providers);
  return buildTriggers(transfer.id, openOffers(transfer.id, offers, key.secretKey));
}
