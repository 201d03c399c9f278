import * as path from 'node:path';
import { z } from 'zod';

const absolutePath = (what: string) => z.string().min(1).refine((p) => path.isAbsolute(p), `${what} must be an absolute path`);
/** what sshd accepts in from="...": addresses, CIDR, host names, wildcards, '!' to negate */
const addressPattern = z.string().regex(/^!?[A-Za-z0-9.:/*?_-]{1,255}$/, 'not an address pattern for from="..." (IP, CIDR, host name, * and ?)');

/**
 * The 'openssh' backend: the site's own sshd serves SFTP as the mapped local account, with one
 * restricted, expiring key per transfer in a folder sshd reads (docs/operator-guide-openssh.md).
 */
export const opensshBackendSchema = z
  .object({
    /** folder of sshd's `AuthorizedKeysFile <dir>/%u` (root-owned, not group/world-writable) */
    authorizedKeysDir: absolutePath('openssh.authorizedKeysDir'),
    /** who owns the per-account key files (libs/openssh AuthorizedKeysManager); default root when running as root */
    keyFileOwnership: z.enum(['root', 'account', 'self']).optional(),
    /** where sshd listens (ssh-keyscan fetches the host key here when only a fingerprint is set) */
    host: z.string().min(1).default('127.0.0.1'),
    /** the host name or address source sites connect to; defaults to host */
    advertiseHost: z.string().min(1).optional(),
    port: z.number().int().min(1).max(65535).default(22),
    /** sshd's host public key, e.g. /etc/ssh/ssh_host_ed25519_key.pub */
    hostPublicKeyFile: absolutePath('openssh.hostPublicKeyFile').optional(),
    /** 'SHA256:...' as `ssh-keygen -lf <host key>.pub` prints it */
    hostKeyFingerprint: z
      .string()
      .regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, 'openssh.hostKeyFingerprint must read SHA256:<43 base64 characters>, as `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` prints it')
      .optional(),
    /** the sftp-server binary (Debian/Ubuntu /usr/lib/openssh/sftp-server; RHEL /usr/libexec/openssh/sftp-server) */
    sftpServerPath: absolutePath('openssh.sftpServerPath').default('/usr/lib/openssh/sftp-server'),
    /** env(1): tags the session's processes with the transfer id, so revoking can end open sessions */
    envPath: absolutePath('openssh.envPath').default('/usr/bin/env'),
    /** how long after the trigger sshd accepts the key for new logins (expiry-time, enforced by sshd) */
    keyLifetimeMinutes: z.number().int().min(1).max(7 * 24 * 60).default(60),
    /** how often expired keys, and keys of transfers that ended, are removed */
    sweepIntervalMs: z.number().int().min(1000).default(60_000),
    /** source addresses per peer provider id; the key then carries from="..." */
    peerAddresses: z.record(z.string().min(1), z.array(addressPattern).min(1).max(32)).optional(),
  })
  .strict()
  .refine((o) => o.hostPublicKeyFile !== undefined || o.hostKeyFingerprint !== undefined, {
    message: "openssh needs hostPublicKeyFile or hostKeyFingerprint, so sources can pin sshd's host key",
  })
  .refine((o) => o.advertiseHost !== undefined || !['0.0.0.0', '::'].includes(o.host), {
    message: 'set openssh.advertiseHost when sshd listens on every address (0.0.0.0 or ::)',
  });

export type OpensshBackendOptions = z.infer<typeof opensshBackendSchema>;

/**
 * Options of the sftp plugin as they appear under `plugins[].options` in the gateway config.
 * Validated once by the gateway (definePlugin's optionsSchema) before the plugin is created.
 */
export const sftpOptionsSchema = z
  .object({
    embeddedServer: z
      .object({
        /** address the embedded SSH server listens on */
        host: z.string().min(1).default('127.0.0.1'),
        /** 0 picks a free port at start (tests); production sites fix one so forPeer survives restarts */
        port: z.number().int().min(0).max(65535).default(0),
        /** host name or address the source gateway connects to; defaults to `host` */
        advertiseHost: z.string().min(1).optional(),
        /**
         * bytes a source may send on one SFTP channel ahead of this server's window adjusts (SSH
         * channel window). ssh2's own 2 MiB stalled uploads that keep 16 MiB of writes in flight
         */
        windowBytes: z
          .number()
          .int()
          .min(2 * 1024 * 1024)
          .max(1024 * 1024 * 1024)
          .default(64 * 1024 * 1024),
      })
      .strict()
      .refine((s) => s.advertiseHost !== undefined || !['0.0.0.0', '::'].includes(s.host), {
        message: 'set embeddedServer.advertiseHost when the server listens on every address (0.0.0.0 or ::)',
      })
      .default({}),
    /** what serves SFTP to sources when this gateway is the destination (see DestinationBackend) */
    backend: z.enum(['embedded', 'openssh']).default('embedded'),
    /** settings of the 'openssh' backend; required with it, refused without it */
    openssh: opensshBackendSchema.optional(),
    /**
     * files uploaded at the same time by one transfer; they share requestsInFlight × chunkSize
     * bytes in flight, so many small files overlap their round trips without more memory
     */
    parallelFiles: z.number().int().min(1).max(64).default(16),
    /** SFTP write requests in flight per file (pipelining; loopback and WAN both need many) */
    requestsInFlight: z.number().int().min(1).max(1024).default(64),
    /** bytes per SFTP write request */
    chunkSize: z
      .number()
      .int()
      .min(4096)
      .max(4 * 1024 * 1024)
      .default(256 * 1024),
    /** how long an activated grant stays usable (it is also revoked at finalize, cancel and expiry) */
    grantLifetimeSeconds: z
      .number()
      .int()
      .min(60)
      .default(7 * 24 * 3600),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.backend === 'openssh' && !o.openssh) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['openssh'],
        message: "backend 'openssh' needs the openssh options: at least authorizedKeysDir and hostPublicKeyFile or hostKeyFingerprint",
      });
    }
    if (o.backend === 'embedded' && o.openssh) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['backend'],
        message: "openssh options are set but backend is 'embedded': add \"backend\": \"openssh\" (or remove them)",
      });
    }
  });

export type SftpOptions = z.infer<typeof sftpOptionsSchema>;
