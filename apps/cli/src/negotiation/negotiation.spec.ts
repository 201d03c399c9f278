import { generateBoxKeyPair, generateSigningKeyPair, open, seal, signObject } from '@ferry/crypto';
import type { Offer, SealedParams, TransferView, TriggerPayload } from '@ferry/contracts';
import { negotiateTriggers, newTunnelSecret, offerSignedPayload, tunnelTriggerUser } from './index';

/** Two real gateways' keys; offers are built and signed exactly as a gateway does. */
function setup() {
  const user = generateBoxKeyPair();
  const gw = {
    source: { id: 'provider-a', box: generateBoxKeyPair(), sign: generateSigningKeyPair() },
    destination: { id: 'provider-b', box: generateBoxKeyPair(), sign: generateSigningKeyPair() },
  };
  const transferId = 'tr-1';
  const offer = (role: 'source' | 'destination', params: SealedParams): Offer => {
    const g = gw[role];
    const sealed = seal(params, user.publicKey, { transferId, role, purpose: 'params' });
    const base = {
      role,
      providerId: g.id,
      gateway: { boxPublicKey: g.box.publicKey, signPublicKey: g.sign.publicKey },
      mechanism: 'sftp',
      publicParams: { sshPublicKey: `${role}-pub` },
      sealed,
      signature: '',
    };
    base.signature = signObject(offerSignedPayload(transferId, base, user.publicKey), g.sign.secretKey);
    return base;
  };
  const transfer: Pick<TransferView, 'id' | 'state' | 'offers'> = {
    id: transferId,
    state: 'AWAITING_TRIGGER',
    offers: [
      offer('source', { triggerToken: 'tok-source', forPeer: { sshPublicKey: 'A-key' } }),
      offer('destination', { triggerToken: 'tok-dest', forPeer: { grant: 'G-123', host: '127.0.0.1', port: 2222 } }),
    ],
  };
  const trusted = {
    'provider-a': { signPublicKey: gw.source.sign.publicKey, boxPublicKey: gw.source.box.publicKey },
    'provider-b': { signPublicKey: gw.destination.sign.publicKey, boxPublicKey: gw.destination.box.publicKey },
  };
  return { user, gw, transfer, trusted, transferId };
}

describe('researcher-side negotiation', () => {
  it('builds one trigger per gateway with its own token and the OTHER side forPeer, destination first', () => {
    const { user, gw, transfer, trusted, transferId } = setup();
    const { request } = negotiateTriggers(transfer, user, trusted);
    expect(request.triggers.map((t) => t.role)).toEqual(['destination', 'source']);
    const dest = open<TriggerPayload>(request.triggers[0].envelope, gw.destination.box.secretKey, { transferId, role: 'destination', purpose: 'trigger' });
    expect(dest).toEqual({ triggerToken: 'tok-dest', peer: { sshPublicKey: 'A-key' } });
    const src = open<TriggerPayload>(request.triggers[1].envelope, gw.source.box.secretKey, { transferId, role: 'source', purpose: 'trigger' });
    expect(src).toEqual({ triggerToken: 'tok-source', peer: { grant: 'G-123', host: '127.0.0.1', port: 2222 } });
    // a trigger sealed for one gateway does not open at the other
    expect(() => open(request.triggers[0].envelope, gw.source.box.secretKey, { transferId, role: 'destination', purpose: 'trigger' })).toThrow();
  });

  it('refuses an offer whose public parameters were changed after signing', () => {
    const { user, transfer, trusted } = setup();
    transfer.offers[1] = { ...transfer.offers[1], publicParams: { sshPublicKey: 'attacker' } };
    expect(() => negotiateTriggers(transfer, user, trusted)).toThrow(expect.objectContaining({ code: 'OFFER_SIGNATURE_INVALID' }));
  });

  it('refuses gateway keys that differ from the registry (a swapped box key would expose the trigger)', () => {
    const { user, transfer, trusted } = setup();
    transfer.offers[0] = { ...transfer.offers[0], gateway: { ...transfer.offers[0].gateway, boxPublicKey: generateBoxKeyPair().publicKey } };
    expect(() => negotiateTriggers(transfer, user, trusted)).toThrow(expect.objectContaining({ code: 'PROVIDER_KEY_MISMATCH' }));
  });

  it('refuses an offer re-signed with another key, even when the offer names that key', () => {
    const { user, transfer, trusted, transferId } = setup();
    const evil = generateSigningKeyPair();
    const o = { ...transfer.offers[0], gateway: { ...transfer.offers[0].gateway, signPublicKey: evil.publicKey } };
    o.signature = signObject(offerSignedPayload(transferId, o, user.publicKey), evil.secretKey);
    transfer.offers[0] = o;
    expect(() => negotiateTriggers(transfer, user, trusted)).toThrow(expect.objectContaining({ code: 'PROVIDER_KEY_MISMATCH' }));
  });

  it('refuses offers signed for another researcher key or another transfer', () => {
    const { transfer, trusted } = setup();
    const someoneElse = generateBoxKeyPair();
    expect(() => negotiateTriggers(transfer, someoneElse, trusted)).toThrow(expect.objectContaining({ code: 'OFFER_SIGNATURE_INVALID' }));
    const { user, transfer: t2, trusted: tr2 } = setup();
    expect(() => negotiateTriggers({ ...t2, id: 'tr-2' }, user, tr2)).toThrow(expect.objectContaining({ code: 'OFFER_SIGNATURE_INVALID' }));
  });

  it('refuses a provider missing from the registry and a transfer not awaiting its trigger', () => {
    const { user, transfer, trusted } = setup();
    expect(() => negotiateTriggers(transfer, user, { 'provider-a': trusted['provider-a'] })).toThrow(
      expect.objectContaining({ code: 'PROVIDER_KEY_MISMATCH' }),
    );
    expect(() => negotiateTriggers({ ...transfer, state: 'RUNNING' }, user, trusted)).toThrow(expect.objectContaining({ code: 'WRONG_STATE' }));
  });

  it('puts the same tunnel secret into both triggers (and a chosen LAN secret into the initiator only)', () => {
    const { user, gw, transfer, trusted, transferId } = setup();
    const secret = newTunnelSecret();
    expect(Buffer.from(secret, 'base64')).toHaveLength(32);
    expect(newTunnelSecret()).not.toBe(secret);
    const { request } = negotiateTriggers(transfer, user, trusted, tunnelTriggerUser(secret, 'a-lan-secret-of-16+'));
    const dest = open<TriggerPayload>(request.triggers[0].envelope, gw.destination.box.secretKey, { transferId, role: 'destination', purpose: 'trigger' });
    const src = open<TriggerPayload>(request.triggers[1].envelope, gw.source.box.secretKey, { transferId, role: 'source', purpose: 'trigger' });
    expect(dest.user).toEqual({ tunnelSecret: secret });
    expect(src.user).toEqual({ tunnelSecret: secret, lanSecret: 'a-lan-secret-of-16+' });
    expect(src.peer).toEqual({ grant: 'G-123', host: '127.0.0.1', port: 2222 });
  });
});
