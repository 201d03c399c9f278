import * as path from 'node:path';
import { z } from 'zod';

const absolutePath = (what: string) => z.string().min(1).refine((p) => path.isAbsolute(p), `${what} must be an absolute path`);

/**
 * Options of the rsync plugin under `plugins[].options` in the gateway config, validated once by
 * the gateway before the plugin is created. A site that only sends needs none of them; a site that
 * receives (its own sshd; docs/operator-guide-openssh.md) sets authorizedKeysDir and the host key.
 */
export const rsyncOptionsSchema = z
  .object({
    // --- receiving (this site's sshd) ---
    /** folder of sshd's `AuthorizedKeysFile <dir>/%u`; without it this gateway refuses to be a destination */
    authorizedKeysDir: absolutePath('authorizedKeysDir').optional(),
    /** who owns the per-account key files (see libs/openssh AuthorizedKeysManager); default root when running as root */
    keyFileOwnership: z.enum(['root', 'account', 'self']).optional(),
    /** where this site's sshd listens (used to fetch the host key when only a fingerprint is configured) */
    sshHost: z.string().min(1).default('127.0.0.1'),
    /** the host name or address source sites connect to; defaults to sshHost */
    advertiseHost: z.string().min(1).optional(),
    sshPort: z.number().int().min(1).max(65535).default(22),
    /** 'SHA256:...' of sshd's host key (`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub`) */
    hostKeyFingerprint: z.string().min(1).optional(),
    /** sshd's host public key file, e.g. /etc/ssh/ssh_host_ed25519_key.pub */
    hostPublicKeyFile: absolutePath('hostPublicKeyFile').optional(),
    /** rrsync, shipped with rsync (Debian/Ubuntu /usr/bin/rrsync; elsewhere often /usr/share/doc/rsync/support/rrsync) */
    rrsyncPath: absolutePath('rrsyncPath').default('/usr/bin/rrsync'),
    /** env(1), used to tag server-side processes with the transfer id so cancel can end them */
    envPath: absolutePath('envPath').default('/usr/bin/env'),
    /** how long a source's key is accepted after the trigger (sshd enforces it: expiry-time) */
    keyLifetimeMinutes: z.number().int().min(1).max(7 * 24 * 60).default(60),
    /** how often expired ferry keys are removed from the authorized-keys folder */
    sweepIntervalMs: z.number().int().min(1000).default(60_000),

    // --- sending ---
    rsyncPath: z.string().min(1).default('rsync'),
    sshPath: z.string().min(1).default('ssh'),
    /** addresses this gateway connects from; destinations then add from="..." to the key */
    egressAddresses: z.array(z.string().regex(/^[A-Za-z0-9.:/*?-]{1,255}$/)).optional(),
    /** rsync --bwlimit in KiB/s (unlimited when absent) */
    bwlimitKiBps: z.number().int().min(1).optional(),
    /** rsync runs per transfer before a retryable failure (network, timeout) becomes final */
    maxAttempts: z.number().int().min(1).max(50).default(5),
    /** rsync --timeout: a connection with no I/O for this long is dropped and retried */
    ioTimeoutSeconds: z.number().int().min(10).max(3600).default(120),
  })
  .strict()
  .refine((o) => !o.authorizedKeysDir || o.hostKeyFingerprint || o.hostPublicKeyFile, {
    message: 'receiving (authorizedKeysDir) needs hostKeyFingerprint or hostPublicKeyFile, so sources can pin the host key',
  });

export type RsyncOptions = z.infer<typeof rsyncOptionsSchema>;
