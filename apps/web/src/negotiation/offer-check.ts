import type { ProviderView, TransferView, TriggerRequest } from '@ferry/contracts';
// ONE implementation of the researcher's side of the protocol, shared with the CLI and the e2e
// harness: verify each gateway's signature (keys cross-checked against the provider registry),
// open the sealed parameters, seal one trigger per gateway. Pure, browser-safe code.
import { NegotiationError, negotiateTriggers, type TrustedProviderKeys } from '@ferry/negotiation';

export { NegotiationError };

/**
 * Builds the trigger request for a transfer the core answered. Adds one check the shared module
 * leaves to its callers: each offer comes from the provider that holds that side's drive.
 */
export function prepareTriggers(
  transfer: TransferView,
  key: { publicKey: string; secretKey: string },
  providers: ProviderView[],
): TriggerRequest {
  for (const offer of transfer.offers ?? []) {
    const expected =
      offer.role === 'source' ? transfer.source.providerId : offer.role === 'destination' ? transfer.destination.providerId : null;
    if (expected && offer.providerId !== expected) {
      throw new NegotiationError('PROVIDER_KEY_MISMATCH', `the ${offer.role} offer comes from ${offer.providerId}, expected ${expected}`);
    }
  }
  const trusted: Record<string, TrustedProviderKeys> = {};
  for (const p of providers) trusted[p.id] = { signPublicKey: p.signPublicKey, boxPublicKey: p.boxPublicKey };
  return negotiateTriggers(transfer, key, trusted).request;
}
