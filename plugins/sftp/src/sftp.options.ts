import { z } from 'zod';

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
      })
      .strict()
      .refine((s) => s.advertiseHost !== undefined || !['0.0.0.0', '::'].includes(s.host), {
        message: 'set embeddedServer.advertiseHost when the server listens on every address (0.0.0.0 or ::)',
      })
      .default({}),
    /** what serves SFTP to sources when this gateway is the destination (see DestinationBackend) */
    backend: z.literal('embedded').default('embedded'),
    /** files uploaded at the same time by one transfer */
    parallelFiles: z.number().int().min(1).max(64).default(4),
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
  .strict();

export type SftpOptions = z.infer<typeof sftpOptionsSchema>;
