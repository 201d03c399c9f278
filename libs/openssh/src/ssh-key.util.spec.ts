import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { utils } from 'ssh2';
import { canonicalPublicKey, fingerprintOf, generateEd25519KeyPair, normalizeFingerprint, parsePublicKey, publicKeyFromPrivate } from './ssh-key.util';

describe('ssh key utilities', () => {
  let dir: string;
  beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ferry-sshkey-'))));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('generates an Ed25519 key that ssh-keygen reads and derives the same public key and fingerprint from', () => {
    const kp = generateEd25519KeyPair('ferry-test');
    const file = path.join(dir, 'id');
    fs.writeFileSync(file, kp.privateKey, { mode: 0o600 });
    const derived = execFileSync('ssh-keygen', ['-y', '-f', file], { encoding: 'utf8' }).trim();
    expect(canonicalPublicKey(derived)).toBe(canonicalPublicKey(kp.publicKey));
    fs.writeFileSync(`${file}.pub`, kp.publicKey + '\n');
    const fp = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${file}.pub`], { encoding: 'utf8' }).split(/\s+/)[1];
    expect(kp.fingerprint).toBe(fp);
    expect(fingerprintOf(kp.publicKey)).toBe(fp);
    expect(kp.publicKey.endsWith(' ferry-test')).toBe(true);
    expect(publicKeyFromPrivate(kp.privateKey)).toBe(canonicalPublicKey(kp.publicKey));
    // and from a key ssh-keygen wrote
    const other = path.join(dir, 'other');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    expect(publicKeyFromPrivate(fs.readFileSync(other, 'utf8'))).toBe(canonicalPublicKey(fs.readFileSync(`${other}.pub`, 'utf8')));
    expect(() => publicKeyFromPrivate('-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----')).toThrow();
  });

  it('produces a private key ssh2 can parse (for ssh2-based clients)', () => {
    const kp = generateEd25519KeyPair();
    const parsed = utils.parseKey(kp.privateKey);
    expect(parsed instanceof Error).toBe(false);
    const key = Array.isArray(parsed) ? parsed[0] : parsed;
    expect((key as { type: string }).type).toBe('ssh-ed25519');
    expect((key as { getPublicSSH(): Buffer }).getPublicSSH().toString('base64')).toBe(parsePublicKey(kp.publicKey).blob.toString('base64'));
  });

  it('generates a different key every time', () => {
    expect(generateEd25519KeyPair().publicKey).not.toBe(generateEd25519KeyPair().publicKey);
  });

  it('refuses things that are not public keys', () => {
    for (const bad of ['', 'ssh-ed25519', 'ssh-ed25519 !!!', 'foo AAAA', 'ssh-ed25519 AAAAC3NzaC1yc2EAAAADAQABAAABAQ', 'ssh-ed25519 AAAA\nssh-rsa AAAA', 42]) {
      expect(() => parsePublicKey(bad)).toThrow(/public key/);
    }
    // a valid RSA blob labelled as ed25519
    const rsa = 'AAAAB3NzaC1yc2EAAAADAQABAAAAgQC7';
    expect(() => parsePublicKey(`ssh-ed25519 ${rsa}`)).toThrow();
  });

  it('normalizes fingerprints in the forms people paste', () => {
    const fp = generateEd25519KeyPair().fingerprint;
    const bare = fp.slice('SHA256:'.length);
    expect(normalizeFingerprint(bare)).toBe(fp);
    expect(normalizeFingerprint(`sha256:${bare}=`)).toBe(fp);
    expect(() => normalizeFingerprint('MD5:aa:bb')).toThrow(/fingerprint/);
  });
});
