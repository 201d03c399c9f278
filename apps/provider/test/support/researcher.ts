import type { PrepareResponse, SealedParams, TriggerPayload } from '@ferry/contracts';
import { generateBoxKeyPair, open, seal, type Envelope } from '@ferry/crypto';

type Accepted = Extract<PrepareResponse, { accepted: true }>;

/** The researcher's side: opens gateways' sealed parameters and seals triggers to them. */
export class Researcher {
  readonly box = generateBoxKeyPair();

  openOffer(transferId: string, role: 'source' | 'destination', offer: PrepareResponse): SealedParams {
    if (!offer.accepted) throw new Error(`offer was refused: ${offer.code}: ${offer.reason}`);
    return open<SealedParams>((offer as Accepted).sealed, this.box.secretKey, { transferId, role, purpose: 'params' });
  }

  trigger(
    transferId: string,
    role: 'source' | 'destination',
    gatewayBoxPublicKey: string,
    payload: TriggerPayload,
    bindAs: { transferId?: string; role?: string } = {},
  ): Envelope {
    return seal(payload, gatewayBoxPublicKey, {
      transferId: bindAs.transferId ?? transferId,
      role: bindAs.role ?? role,
      purpose: 'trigger',
    });
  }
}
