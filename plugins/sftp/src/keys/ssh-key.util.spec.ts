import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fingerprintOfBlob, generateEd25519KeyPair, parseSshKey, publicKeyBlob, publicKeyLine } from './ssh-key.util';

describe('ssh key utilities', () => {
  it('generates keys that parse, sign and verify every time', () => {
    for (let i = 0; i < 300; i++) {
      const kp = generateEd25519KeyPair(`k${i}`);
      const priv = parseSshKey(kp.privateKey, 'private');
      const pub = parseSshKey(kp.publicKey, 'public');
      expect(priv.getPublicSSH().equals(pub.getPublicSSH())).toBe(true);
      expect(pub.verify(Buffer.from('data'), priv.sign(Buffer.from('data')))).toBe(true);
      expect(publicKeyLine(kp.privateKey, `k${i}`)).toBe(kp.publicKey);
    }
  });

  it('writes keys OpenSSH reads, with the fingerprint ssh-keygen prints', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sshkey-'));
    try {
      const kp = generateEd25519KeyPair('interop');
      const file = path.join(dir, 'id');
      await fs.writeFile(file, kp.privateKey, { mode: 0o600 });
      expect(execFileSync('ssh-keygen', ['-y', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] }).toString().trim()).toBe(kp.publicKey);
      const printed = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
      expect(printed.split(' ')[1]).toBe(fingerprintOfBlob(publicKeyBlob(kp.publicKey)!));
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses what is not a public key', () => {
    expect(publicKeyBlob('ssh-ed25519 not-base64')).toBeNull();
    expect(publicKeyBlob(42)).toBeNull();
    expect(publicKeyBlob(generateEd25519KeyPair('x').privateKey)).toBeNull();
  });
});
