import { canonicalPublicKey, fingerprintOf, fingerprintsEqual, normalizeFingerprint, parsePublicKey } from '@ferry/openssh';
import { MechanismError } from '@ferry/plugin-sdk';
import { z } from 'zod';

/**
 * What the two sides hand each other. Both arrive from the other site (through the core or the
 * researcher), so both are parsed here, never trusted as they come.
 */

/** Source → destination, in the source's publicParams (visible to the core: nothing secret). */
export interface SourcePublicParams {
  /** the source's ephemeral 'ssh-ed25519 AAAA...' key */
  sshPublicKey: string;
  /** basename of what is sent ('' = the contents of a drive root); the destination cleans up under it */
  item: string;
  /** where the source connects from, when its operator said so */
  sourceAddresses?: string[];
}

/** Destination → source, in the destination's forPeer (sealed to the researcher). */
export interface DestinationPeer {
  host: string;
  port: number;
  /** the local account at the destination the key logs in as */
  user: string;
  /** 'type base64' of the destination's sshd host key, pinned through a one-line known_hosts */
  hostPublicKey: string;
  hostKeyFingerprint: string;
}

const sourceSchema = z.object({
  sshPublicKey: z.string().min(1).max(4096),
  item: z.string().max(255).refine((s) => !s.includes('/') && s !== '.' && s !== '..' && !s.includes('\0'), 'item must be a plain name'),
  sourceAddresses: z.array(z.string().regex(/^[A-Za-z0-9.:/*?-]{1,255}$/)).max(32).optional(),
});

const peerSchema = z.object({
  host: z.string().regex(/^[A-Za-z0-9.:_-]{1,255}$/),
  port: z.number().int().min(1).max(65535),
  user: z.string().regex(/^[A-Za-z_][A-Za-z0-9._-]{0,30}\$?$/),
  hostPublicKey: z.string().min(1).max(16384),
  hostKeyFingerprint: z.string().min(1).max(100),
});

export function parseSourcePublicParams(raw: unknown): SourcePublicParams {
  const r = sourceSchema.safeParse(raw);
  if (!r.success) throw new MechanismError('REJECTED', `the source's rsync parameters are malformed: ${r.error.issues[0]?.message ?? 'invalid'}`);
  const key = (() => {
    try {
      return parsePublicKey(r.data.sshPublicKey);
    } catch {
      throw new MechanismError('REJECTED', "the source's rsync key is not an SSH public key");
    }
  })();
  if (key.type !== 'ssh-ed25519') throw new MechanismError('REJECTED', "the source's rsync key must be ssh-ed25519");
  return { ...r.data, sshPublicKey: canonicalPublicKey(r.data.sshPublicKey) };
}

/**
 * The destination's connection parameters. The host key must match its fingerprint: a mismatch
 * means the parameters were altered on the way, so the source refuses to connect (AUTH_FAILED).
 */
export function parseDestinationPeer(raw: unknown): DestinationPeer {
  const r = peerSchema.safeParse(raw);
  if (!r.success) throw new MechanismError('REJECTED', `the destination's rsync parameters are malformed: ${r.error.issues[0]?.message ?? 'invalid'}`);
  let hostPublicKey: string;
  let hostKeyFingerprint: string;
  try {
    hostPublicKey = canonicalPublicKey(r.data.hostPublicKey);
    hostKeyFingerprint = normalizeFingerprint(r.data.hostKeyFingerprint);
  } catch {
    throw new MechanismError('AUTH_FAILED', "the destination's host key or fingerprint is not valid", 'fatal');
  }
  if (!fingerprintsEqual(fingerprintOf(hostPublicKey), hostKeyFingerprint)) {
    throw new MechanismError('AUTH_FAILED', "the destination's host key does not match its fingerprint; refusing to connect", 'fatal');
  }
  return { ...r.data, hostPublicKey, hostKeyFingerprint };
}
