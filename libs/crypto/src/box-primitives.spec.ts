import nacl from 'tweetnacl';
import { setBoxPrimitives, tweetnaclBoxPrimitives } from './box-primitives';
import { nodeBoxPrimitives } from './box-primitives.node';
import { open, seal } from './envelope';
import { generateBoxKeyPair } from './keys';

describe('node:crypto box primitives', () => {
  afterEach(() => setBoxPrimitives(tweetnaclBoxPrimitives));

  it('make key pairs whose public half is tweetnacl\'s for that secret', () => {
    for (let i = 0; i < 20; i++) {
      const kp = nodeBoxPrimitives.keyPair();
      expect(kp.secretKey).toHaveLength(32);
      expect(Buffer.from(kp.publicKey)).toEqual(Buffer.from(nacl.box.keyPair.fromSecretKey(kp.secretKey).publicKey));
    }
  });

  it('compute exactly the box key tweetnacl computes, for generated and foreign secrets', () => {
    for (let i = 0; i < 20; i++) {
      const peer = nacl.box.keyPair();
      const mine = i % 2 ? nodeBoxPrimitives.keyPair() : nacl.box.keyPair();
      expect(Buffer.from(nodeBoxPrimitives.before(peer.publicKey, mine.secretKey))).toEqual(
        Buffer.from(nacl.box.before(peer.publicKey, mine.secretKey)),
      );
    }
  });

  it('agree with tweetnacl on a low-order public key (which OpenSSL refuses)', () => {
    const sk = nacl.randomBytes(32);
    for (const bad of [new Uint8Array(32), Uint8Array.from([1, ...new Array(31).fill(0)])]) {
      expect(Buffer.from(nodeBoxPrimitives.before(bad, sk))).toEqual(Buffer.from(nacl.box.before(bad, sk)));
    }
  });

  it('envelopes sealed with one implementation open with the other, and not with another key', () => {
    const user = generateBoxKeyPair();
    const other = generateBoxKeyPair();
    const binding = { transferId: 't-1', role: 'source', purpose: 'params' as const };
    setBoxPrimitives(nodeBoxPrimitives);
    const byNode = seal({ triggerToken: 'x' }, user.publicKey, binding);
    expect(() => open(byNode, other.secretKey, binding)).toThrow();
    setBoxPrimitives(tweetnaclBoxPrimitives);
    expect(open(byNode, user.secretKey, binding)).toEqual({ triggerToken: 'x' });
    const byNacl = seal({ triggerToken: 'y' }, user.publicKey, binding);
    setBoxPrimitives(nodeBoxPrimitives);
    expect(open(byNacl, user.secretKey, binding)).toEqual({ triggerToken: 'y' });
  });
});
