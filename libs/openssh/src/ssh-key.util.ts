import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { OpenSshError } from './openssh.error';

/**
 * OpenSSH key formats without shelling out to ssh-keygen: the private half of an ephemeral key
 * never touches a file we did not choose (callers keep it in the SecretStore).
 */
export interface SshKeyPair {
  /** 'ssh-ed25519 AAAA... <comment>' (authorized_keys / .pub format) */
  publicKey: string;
  /** unencrypted '-----BEGIN OPENSSH PRIVATE KEY-----' text, as `ssh-keygen -t ed25519 -N ''` writes */
  privateKey: string;
  /** 'SHA256:...' of the public key */
  fingerprint: string;
}

export interface ParsedPublicKey {
  type: string;
  /** the wire-format key blob (what base64 in the .pub line decodes to) */
  blob: Buffer;
  comment: string;
}

const ED25519 = 'ssh-ed25519';
/** key types OpenSSH accepts in authorized_keys / known_hosts that we are willing to handle */
const KNOWN_TYPES = new Set([
  ED25519,
  'ssh-rsa',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
]);

/** A fresh Ed25519 key pair in OpenSSH formats. `comment` ends up in both halves (keep it secret-free). */
export function generateEd25519KeyPair(comment = 'ferry'): SshKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const pub = Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url');
  const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d as string, 'base64url');
  const blob = Buffer.concat([sshString(ED25519), sshString(pub)]);
  return {
    publicKey: `${ED25519} ${blob.toString('base64')}${comment ? ` ${comment}` : ''}`,
    privateKey: encodeOpenSshPrivateKey(blob, pub, seed, comment),
    fingerprint: fingerprintOfBlob(blob),
  };
}

/**
 * The openssh-key-v1 container (PROTOCOL.key in OpenSSH's sources), unencrypted: cipher and kdf
 * 'none', one key, a private section of two equal check words, the key, the comment and 1,2,3...
 * padding to the 8-byte block size.
 */
function encodeOpenSshPrivateKey(blob: Buffer, pub: Buffer, seed: Buffer, comment: string): string {
  const check = randomBytes(4);
  let priv = Buffer.concat([check, check, sshString(ED25519), sshString(pub), sshString(Buffer.concat([seed, pub])), sshString(comment)]);
  const pad: number[] = [];
  for (let i = 1; (priv.length + pad.length) % 8 !== 0; i++) pad.push(i);
  priv = Buffer.concat([priv, Buffer.from(pad)]);
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0', 'latin1'),
    sshString('none'),
    sshString('none'),
    sshString(Buffer.alloc(0)),
    uint32(1),
    sshString(blob),
    sshString(priv),
  ]);
  const b64 = body.toString('base64').replace(/.{1,70}/g, '$&\n');
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${b64}-----END OPENSSH PRIVATE KEY-----\n`;
}

/**
 * Parses a public key line ('type base64 [comment]'), e.g. from a .pub file, a peer's parameters
 * or known_hosts without the host field. Throws OpenSshError BAD_KEY when it is not one.
 */
export function parsePublicKey(line: unknown): ParsedPublicKey {
  if (typeof line !== 'string' || line.length > 16384 || /[\0\r\n]/.test(line.trim())) throw new OpenSshError('BAD_KEY', 'not an SSH public key line');
  const [type, b64, ...rest] = line.trim().split(/\s+/);
  if (!type || !KNOWN_TYPES.has(type) || !b64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) {
    throw new OpenSshError('BAD_KEY', 'not an SSH public key line (expected "<type> <base64> [comment]")');
  }
  const blob = Buffer.from(b64, 'base64');
  // the blob starts with its own type name; a mismatch means a mangled or spliced key
  const inner = readSshString(blob, 0);
  if (!inner || inner.value.toString('latin1') !== type) throw new OpenSshError('BAD_KEY', 'SSH public key blob does not match its type');
  if (type === ED25519) {
    const key = readSshString(blob, inner.next);
    if (!key || key.value.length !== 32 || key.next !== blob.length) throw new OpenSshError('BAD_KEY', 'malformed ssh-ed25519 public key');
  }
  return { type, blob, comment: rest.join(' ') };
}

/**
 * The public key ('type base64') inside an unencrypted OpenSSH private key, e.g. one read back from
 * the SecretStore. Throws BAD_KEY for anything else (encrypted keys included).
 */
export function publicKeyFromPrivate(privateKey: string): string {
  const m = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END OPENSSH PRIVATE KEY-----/.exec(privateKey);
  if (!m) throw new OpenSshError('BAD_KEY', 'not an OpenSSH private key');
  const body = Buffer.from(m[1].replace(/\s+/g, ''), 'base64');
  const magic = Buffer.from('openssh-key-v1\0', 'latin1');
  if (!body.subarray(0, magic.length).equals(magic)) throw new OpenSshError('BAD_KEY', 'not an OpenSSH private key');
  let at = magic.length;
  const fields: Buffer[] = [];
  for (let i = 0; i < 3; i++) {
    const f = readSshString(body, at);
    if (!f) throw new OpenSshError('BAD_KEY', 'truncated OpenSSH private key');
    fields.push(f.value);
    at = f.next;
  }
  if (fields[0].toString() !== 'none') throw new OpenSshError('BAD_KEY', 'encrypted private keys are not supported');
  if (at + 4 > body.length || body.readUInt32BE(at) !== 1) throw new OpenSshError('BAD_KEY', 'expected exactly one key');
  const pub = readSshString(body, at + 4);
  if (!pub) throw new OpenSshError('BAD_KEY', 'truncated OpenSSH private key');
  const type = readSshString(pub.value, 0);
  if (!type) throw new OpenSshError('BAD_KEY', 'malformed public key in private key');
  return canonicalPublicKey(`${type.value.toString('latin1')} ${pub.value.toString('base64')}`);
}

/** 'type base64' without the comment: the form to compare keys by and to write into authorized_keys. */
export function canonicalPublicKey(line: string): string {
  const k = parsePublicKey(line);
  return `${k.type} ${k.blob.toString('base64')}`;
}

/** 'SHA256:<base64 without padding>' as `ssh-keygen -l -E sha256` and ssh's host-key prompts print it. */
export function fingerprintOf(publicKeyLine: string): string {
  return fingerprintOfBlob(parsePublicKey(publicKeyLine).blob);
}

export function fingerprintOfBlob(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** Accepts 'SHA256:abc', 'sha256:abc' or bare 'abc' (with or without '=' padding); returns 'SHA256:abc'. */
export function normalizeFingerprint(fp: unknown): string {
  if (typeof fp !== 'string') throw new OpenSshError('BAD_KEY', 'host key fingerprint must be a string');
  const bare = fp.trim().replace(/^sha256:/i, '').replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/]{43}$/.test(bare)) throw new OpenSshError('BAD_KEY', `not a SHA256 fingerprint: ${fp.slice(0, 80)}`);
  return `SHA256:${bare}`;
}

export function fingerprintsEqual(a: string, b: string): boolean {
  return normalizeFingerprint(a) === normalizeFingerprint(b);
}

function sshString(v: string | Buffer): Buffer {
  const b = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
  return Buffer.concat([uint32(b.length), b]);
}

function uint32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

function readSshString(buf: Buffer, at: number): { value: Buffer; next: number } | null {
  if (at + 4 > buf.length) return null;
  const len = buf.readUInt32BE(at);
  if (at + 4 + len > buf.length) return null;
  return { value: buf.subarray(at + 4, at + 4 + len), next: at + 4 + len };
}
