/**
 * Why the researcher's side refused to go on with a transfer. These are client-side checks: the
 * core never sees them fail, so the codes live here and not in @ferry/contracts.
 */
export type NegotiationErrorCode =
  | 'OFFER_MISSING' // the transfer has no offer for a role it needs
  | 'OFFER_SIGNATURE_INVALID' // the gateway's signature does not verify: someone changed the offer
  | 'PROVIDER_KEY_MISMATCH' // the offer names other keys than the provider registry or a pin
  | 'OFFER_UNREADABLE' // the sealed parameters do not open with this researcher key
  | 'WRONG_STATE'; // the transfer is not waiting for a trigger

export class NegotiationError extends Error {
  constructor(
    readonly code: NegotiationErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'NegotiationError';
  }
}
