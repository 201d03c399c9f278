import { generateBoxKeyPair, open, seal, CryptoError } from './index';

describe('sealed envelopes', () => {
  const user = generateBoxKeyPair();
  const binding = { transferId: 't1', role: 'source', purpose: 'params' as const };

  it('opens with the right key and binding', () => {
    const env = seal({ token: 'x' }, user.publicKey, binding);
    expect(open(env, user.secretKey, binding)).toEqual({ token: 'x' });
  });

  it('refuses another transfer, role or purpose', () => {
    const env = seal({ token: 'x' }, user.publicKey, binding);
    for (const other of [
      { ...binding, transferId: 't2' },
      { ...binding, role: 'destination' },
      { ...binding, purpose: 'trigger' as const },
    ]) {
      expect(() => open(env, user.secretKey, other)).toThrow(expect.objectContaining({ code: 'WRONG_BINDING' }));
    }
  });

  it('refuses the wrong key and tampered ciphertext', () => {
    const env = seal({ token: 'x' }, user.publicKey, binding);
    const other = generateBoxKeyPair();
    expect(() => open(env, other.secretKey, binding)).toThrow(CryptoError);
    const bytes = env.ct.split('');
    bytes[5] = bytes[5] === 'A' ? 'B' : 'A';
    expect(() => open({ ...env, ct: bytes.join('') }, user.secretKey, binding)).toThrow(
      expect.objectContaining({ code: 'DECRYPT_FAILED' }),
    );
  });

  it('refuses malformed keys and envelopes with a clear code', () => {
    expect(() => seal({}, 'not-a-key', binding)).toThrow(expect.objectContaining({ code: 'BAD_KEY' }));
    expect(() => open({ v: 2 }, user.secretKey, binding)).toThrow(expect.objectContaining({ code: 'BAD_ENVELOPE' }));
  });
});
