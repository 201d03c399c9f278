import nacl from 'tweetnacl';
import { generateSigningKeyPair } from './keys';
import { MemoryNonceStore, signRequest, verifyRequest } from './request-signing';
import { setSigningPrimitives, tweetnaclPrimitives } from './signing-primitives';
import { nodeSigningPrimitives } from './signing-primitives.node';
import { fromBase64 } from './encoding.util';

describe('node:crypto signing primitives', () => {
  afterEach(() => setSigningPrimitives(tweetnaclPrimitives));

  it('sign exactly as tweetnacl does (Ed25519 is deterministic) and hash the same', () => {
    for (let i = 0; i < 20; i++) {
      const kp = nacl.sign.keyPair();
      const msg = nacl.randomBytes(i * 37);
      expect(Buffer.from(nodeSigningPrimitives.sign(msg, kp.secretKey))).toEqual(Buffer.from(nacl.sign.detached(msg, kp.secretKey)));
      expect(Buffer.from(nodeSigningPrimitives.sha512(msg))).toEqual(Buffer.from(nacl.hash(msg)));
    }
  });

  it('verify what tweetnacl signed and refuse a changed message, signature or key', () => {
    const kp = nacl.sign.keyPair();
    const other = nacl.sign.keyPair();
    const msg = new TextEncoder().encode('POST\n/api/gateway/progress');
    const sig = nacl.sign.detached(msg, kp.secretKey);
    expect(nodeSigningPrimitives.verify(msg, sig, kp.publicKey)).toBe(true);
    expect(nodeSigningPrimitives.verify(new TextEncoder().encode('POST\n/api/gateway/progresS'), sig, kp.publicKey)).toBe(false);
    const bad = Uint8Array.from(sig);
    bad[10] ^= 1;
    expect(nodeSigningPrimitives.verify(msg, bad, kp.publicKey)).toBe(false);
    expect(nodeSigningPrimitives.verify(msg, sig, other.publicKey)).toBe(false);
    expect(nodeSigningPrimitives.verify(msg, sig.subarray(0, 63), kp.publicKey)).toBe(false);
    expect(nodeSigningPrimitives.verify(msg, sig, kp.publicKey.subarray(0, 31))).toBe(false);
  });

  it('signed requests made with one implementation verify with the other', async () => {
    const keys = generateSigningKeyPair();
    const req = { method: 'POST', path: '/api/gateway/progress', body: '{"seq":1}', keyId: 'provider-a' };
    setSigningPrimitives(tweetnaclPrimitives);
    const headers = signRequest({ ...req, signSecretKey: keys.secretKey });
    setSigningPrimitives(nodeSigningPrimitives);
    await expect(verifyRequest({ ...req, headers: { ...headers }, signPublicKey: keys.publicKey, nonces: new MemoryNonceStore() })).resolves.toEqual({ keyId: 'provider-a' });
    const headers2 = signRequest({ ...req, signSecretKey: keys.secretKey });
    expect(fromBase64(headers2['x-ferry-signature'])).toHaveLength(64);
    setSigningPrimitives(tweetnaclPrimitives);
    await expect(verifyRequest({ ...req, headers: { ...headers2 }, signPublicKey: keys.publicKey, nonces: new MemoryNonceStore() })).resolves.toEqual({ keyId: 'provider-a' });
    await expect(
      verifyRequest({ ...req, body: '{"seq":2}', headers: { ...headers2 }, signPublicKey: keys.publicKey, nonces: new MemoryNonceStore() }),
    ).rejects.toMatchObject({ code: 'BAD_SIGNATURE' });
  });
});
