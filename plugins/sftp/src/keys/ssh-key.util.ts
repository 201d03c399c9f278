import { createHash, generateKeyPairSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { utils, type ParsedKey } from 'ssh2';

/** An OpenSSH-format key pair: `privateKey` is the PEM-like "OPENSSH PRIVATE KEY" text. */
export interface SshKeyPair {
  privateKey: string;
  /** authorized_keys line: "ssh-ed25519 AAAA... comment" */
  publicKey: string;
}

/**
 * A fresh Ed25519 key pair in OpenSSH format, from node's crypto. (ssh2's own generator converts
 * through ASN.1 and emits an unparseable key about once in 250 tries, so we encode it ourselves:
 * PROTOCOL.key of OpenSSH, unencrypted.)
 */
export function generateEd25519KeyPair(comment: string): SshKeyPair {
  const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
  const seed = Buffer.from(jwk.d!, 'base64url');
  const pub = Buffer.from(jwk.x!, 'base64url');
  const type = Buffer.from('ssh-ed25519');
  const publicBlob = Buffer.concat([sshString(type), sshString(pub)]);
  const check = randomBytes(4);
  let privateSection = Buffer.concat([
    check,
    check,
    sshString(type),
    sshString(pub),
    sshString(Buffer.concat([seed, pub])),
    sshString(Buffer.from(comment)),
  ]);
  const pad = (8 - (privateSection.length % 8)) % 8;
  privateSection = Buffer.concat([privateSection, Buffer.from([1, 2, 3, 4, 5, 6, 7].slice(0, pad))]);
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0'),
    sshString(Buffer.from('none')),
    sshString(Buffer.from('none')),
    sshString(Buffer.alloc(0)),
    uint32(1),
    sshString(publicBlob),
    sshString(privateSection),
  ]);
  const b64 = body.toString('base64').replace(/.{1,70}/g, '$&\n');
  return {
    privateKey: `-----BEGIN OPENSSH PRIVATE KEY-----\n${b64}-----END OPENSSH PRIVATE KEY-----\n`,
    publicKey: `ssh-ed25519 ${publicBlob.toString('base64')} ${comment}`.trim(),
  };
}

function uint32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n, 0);
  return b;
}

function sshString(b: Buffer): Buffer {
  return Buffer.concat([uint32(b.length), b]);
}

/** Parses one key (private or public); throws a plain Error with `what` in the message when invalid. */
export function parseSshKey(text: string, what: string): ParsedKey {
  const parsed = utils.parseKey(text);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || key instanceof Error) throw new Error(`${what} is not a valid SSH key`);
  return key;
}

/** The authorized_keys form of a private key's public half (used to re-derive it idempotently). */
export function publicKeyLine(privateKey: string, comment: string): string {
  const key = parseSshKey(privateKey, 'private key');
  return `${key.type} ${key.getPublicSSH().toString('base64')} ${comment}`.trim();
}

/** The wire blob of an authorized_keys line ("type base64 [comment]"), or null when malformed. */
export function publicKeyBlob(line: unknown): Buffer | null {
  if (typeof line !== 'string') return null;
  try {
    const key = parseSshKey(line, 'public key');
    if (key.isPrivateKey()) return null;
    return key.getPublicSSH();
  } catch {
    return null;
  }
}

/** OpenSSH's fingerprint form: "SHA256:" + unpadded base64 of sha256(key blob). */
export function fingerprintOfBlob(blob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

/** Constant-time string comparison (fingerprints, token hashes). */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
