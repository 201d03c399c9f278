import { createHash, timingSafeEqual } from 'node:crypto';
import { utils, type ParsedKey } from 'ssh2';

/** An OpenSSH-format key pair: `privateKey` is the PEM-like "OPENSSH PRIVATE KEY" text. */
export interface SshKeyPair {
  privateKey: string;
  /** authorized_keys line: "ssh-ed25519 AAAA... comment" */
  publicKey: string;
}

/** A fresh Ed25519 key pair in OpenSSH format (ssh2's generator, no child process). */
export function generateEd25519KeyPair(comment: string): SshKeyPair {
  const kp = utils.generateKeyPairSync('ed25519', { comment });
  return { privateKey: kp.private, publicKey: kp.public };
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
