import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { promisify } from 'node:util';
import { canonicalPublicKey, fingerprintOf, fingerprintsEqual, normalizeFingerprint } from './ssh-key.util';
import { OpenSshError } from './openssh.error';

const run = promisify(execFile);

/**
 * The host key a destination publishes to its peers (inside sealed parameters): the full public key,
 * because OpenSSH's client can only pin a key through a known_hosts file, and its fingerprint, which
 * ssh2-based clients compare in their hostVerifier.
 */
export interface HostKeyInfo {
  /** 'type base64' */
  publicKey: string;
  /** 'SHA256:...' */
  fingerprint: string;
}

export interface HostKeySource {
  /** e.g. /etc/ssh/ssh_host_ed25519_key.pub */
  hostPublicKeyFile?: string;
  /** 'ssh-ed25519 AAAA...' inline */
  hostPublicKey?: string;
  /**
   * 'SHA256:...'. With a key (file or inline) it must match; alone, the key is fetched from the
   * server with ssh-keyscan and kept only if its fingerprint matches.
   */
  hostKeyFingerprint?: string;
  /** where sshd listens, for ssh-keyscan */
  host: string;
  port: number;
  sshKeyscanPath?: string;
}

/** Resolves the host key from the operator's configuration (see HostKeySource). */
export async function resolveHostKey(src: HostKeySource): Promise<HostKeyInfo> {
  let publicKey: string | undefined;
  if (src.hostPublicKey) publicKey = canonicalPublicKey(src.hostPublicKey);
  else if (src.hostPublicKeyFile) {
    let text: string;
    try {
      text = await fs.readFile(src.hostPublicKeyFile, 'utf8');
    } catch (e) {
      throw new OpenSshError('HOST_KEY', `cannot read host public key file ${src.hostPublicKeyFile}: ${(e as Error).message}`);
    }
    publicKey = canonicalPublicKey(text.trim().split('\n')[0]);
  }
  if (publicKey) {
    const fingerprint = fingerprintOf(publicKey);
    if (src.hostKeyFingerprint && !fingerprintsEqual(src.hostKeyFingerprint, fingerprint)) {
      throw new OpenSshError('HOST_KEY', `host key ${fingerprint} does not match the configured fingerprint ${src.hostKeyFingerprint}`);
    }
    return { publicKey, fingerprint };
  }
  if (!src.hostKeyFingerprint) throw new OpenSshError('HOST_KEY', 'configure hostPublicKeyFile, hostPublicKey or hostKeyFingerprint');
  const wanted = normalizeFingerprint(src.hostKeyFingerprint);
  for (const key of await scanHostKeys(src.host, src.port, src.sshKeyscanPath)) {
    if (fingerprintOf(key) === wanted) return { publicKey: key, fingerprint: wanted };
  }
  throw new OpenSshError('HOST_KEY', `no host key of ${src.host}:${src.port} has fingerprint ${wanted}`);
}

/** The server's host keys as 'type base64' lines, via ssh-keyscan. */
export async function scanHostKeys(host: string, port: number, sshKeyscanPath = 'ssh-keyscan'): Promise<string[]> {
  let out: string;
  try {
    out = (await run(sshKeyscanPath, ['-p', String(port), '-T', '10', '-t', 'ed25519,ecdsa,rsa', host], { encoding: 'utf8' })).stdout;
  } catch (e) {
    throw new OpenSshError('HOST_KEY', `ssh-keyscan ${host}:${port} failed: ${(e as Error).message}`);
  }
  const keys: string[] = [];
  for (const line of out.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const [, type, b64] = line.trim().split(/\s+/);
    try {
      keys.push(canonicalPublicKey(`${type} ${b64}`));
    } catch {
      /* not a key line */
    }
  }
  return keys;
}

/**
 * The known_hosts host field: 'host' for port 22, '[host]:port' otherwise (that is how ssh looks
 * it up, IPv6 addresses included).
 */
export function knownHostsHost(host: string, port: number): string {
  if (!/^[A-Za-z0-9.:_-]+$/.test(host)) throw new OpenSshError('BAD_OPTION', `not a host name or address: ${host.slice(0, 80)}`);
  if (port === 22) return host;
  return `[${host}]:${port}`;
}

/** One known_hosts line pinning `publicKey` for host:port. */
export function knownHostsLine(host: string, port: number, publicKey: string): string {
  return `${knownHostsHost(host, port)} ${canonicalPublicKey(publicKey)}`;
}

/**
 * resolveHostKey once, remembered; a failure is not remembered, so a gateway that starts before its
 * sshd (or before the .pub file exists) resolves it at the next call instead.
 */
export function hostKeyResolver(src: HostKeySource): () => Promise<HostKeyInfo> {
  let pending: Promise<HostKeyInfo> | null = null;
  return () => {
    pending ??= resolveHostKey(src).catch((e: unknown) => {
      pending = null;
      throw e;
    });
    return pending;
  };
}
