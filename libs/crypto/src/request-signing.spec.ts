import { generateSigningKeyPair, MemoryNonceStore, signRequest, verifyRequest } from './index';

describe('signed requests', () => {
  const keys = generateSigningKeyPair();
  const base = { method: 'POST', path: '/ferry/v1/transfers/prepare', body: '{"a":1}' };

  it('verifies once and refuses the replay', async () => {
    const nonces = new MemoryNonceStore();
    const headers = signRequest({ ...base, keyId: 'core', signSecretKey: keys.secretKey });
    await expect(verifyRequest({ ...base, headers: { ...headers }, signPublicKey: keys.publicKey, nonces })).resolves.toEqual({ keyId: 'core' });
    await expect(verifyRequest({ ...base, headers: { ...headers }, signPublicKey: keys.publicKey, nonces })).rejects.toMatchObject({ code: 'REPLAYED_NONCE' });
  });

  it('refuses a changed body, path or method', async () => {
    const headers = signRequest({ ...base, keyId: 'core', signSecretKey: keys.secretKey });
    for (const change of [{ body: '{"a":2}' }, { path: '/other' }, { method: 'PUT' }]) {
      await expect(
        verifyRequest({ ...base, ...change, headers: { ...headers }, signPublicKey: keys.publicKey, nonces: new MemoryNonceStore() }),
      ).rejects.toMatchObject({ code: 'BAD_SIGNATURE' });
    }
  });

  it('refuses a stale timestamp and says how far the clocks are apart', async () => {
    const headers = signRequest({ ...base, keyId: 'core', signSecretKey: keys.secretKey, now: Date.now() - 5 * 60_000 });
    await expect(
      verifyRequest({ ...base, headers: { ...headers }, signPublicKey: keys.publicKey, nonces: new MemoryNonceStore() }),
    ).rejects.toMatchObject({ code: 'STALE_TIMESTAMP', message: expect.stringMatching(/300 s behind/) });
  });

  it('refuses unsigned requests', async () => {
    await expect(
      verifyRequest({ ...base, headers: {}, signPublicKey: keys.publicKey, nonces: new MemoryNonceStore() }),
    ).rejects.toMatchObject({ code: 'MISSING_HEADERS' });
  });
});
