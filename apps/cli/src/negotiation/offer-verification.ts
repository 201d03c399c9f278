import { verifyObject } from '@ferry/crypto';
import type { Offer, OfferSigned } from '@ferry/contracts';
import { NegotiationError } from './negotiation.error';

/** The keys a researcher trusts for a provider: from GET /api/providers, a pin file, or /.well-known. */
export interface TrustedProviderKeys {
  signPublicKey: string | null;
  boxPublicKey: string | null;
}

/** What the gateway signed: rebuilt from the offer and the researcher's OWN public key. */
export function offerSignedPayload(transferId: string, offer: Offer, userPublicKey: string): OfferSigned {
  return {
    transferId,
    role: offer.role,
    providerId: offer.providerId,
    mechanism: offer.mechanism,
    publicParams: offer.publicParams,
    sealed: offer.sealed,
    userPublicKey,
  };
}

/**
 * Checks one offer before anything in it is trusted:
 * 1. the gateway keys it names are the ones the researcher trusts for that provider (a core that
 *    swapped in its own keys could otherwise read the triggers);
 * 2. the gateway's Ed25519 signature covers exactly this offer *and this researcher's public key*
 *    (so parameters sealed to someone else, or moved from another transfer, are refused).
 * Throws NegotiationError PROVIDER_KEY_MISMATCH or OFFER_SIGNATURE_INVALID.
 */
export function verifyOffer(
  transferId: string,
  offer: Offer,
  userPublicKey: string,
  trusted: TrustedProviderKeys | undefined,
): void {
  if (!trusted || !trusted.signPublicKey) {
    throw new NegotiationError(
      'PROVIDER_KEY_MISMATCH',
      `no trusted signing key for provider ${offer.providerId}: it is missing from the provider registry`,
    );
  }
  if (offer.gateway.signPublicKey !== trusted.signPublicKey) {
    throw new NegotiationError(
      'PROVIDER_KEY_MISMATCH',
      `offer from ${offer.providerId} names signing key ${short(offer.gateway.signPublicKey)}, but the provider's key is ${short(trusted.signPublicKey)}`,
    );
  }
  if (trusted.boxPublicKey && offer.gateway.boxPublicKey !== trusted.boxPublicKey) {
    throw new NegotiationError(
      'PROVIDER_KEY_MISMATCH',
      `offer from ${offer.providerId} names box key ${short(offer.gateway.boxPublicKey)}, but the provider's key is ${short(trusted.boxPublicKey)}`,
    );
  }
  const signed = offerSignedPayload(transferId, offer, userPublicKey);
  if (!verifyObject(signed, offer.signature, trusted.signPublicKey)) {
    throw new NegotiationError(
      'OFFER_SIGNATURE_INVALID',
      `the ${offer.role} offer from ${offer.providerId} is not signed by that provider's key (changed in transit, or not for your key)`,
    );
  }
}

const short = (k: string | null | undefined) => (k ? `${k.slice(0, 10)}…` : '(none)');
