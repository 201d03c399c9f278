import { z } from 'zod';

/**
 * The gateway's JSON config file (docs/operator-guide.md, "Configuration reference").
 * Validated once at start-up; unknown keys are errors so that a typo never silently falls back to a
 * default. Relative paths are resolved against the config file's folder after parsing.
 */
const id = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'must be letters, digits, dot, dash or underscore (max 128)');

const attributes = z.record(z.unknown()).default({});

export const driveSchema = z
  .object({
    id,
    /** local folder (absolute, or relative to the config file) for local drives */
    path: z.string().min(1).optional(),
    /** a mechanism id whose plugin serves this drive (non-local drives, e.g. a Globus collection) */
    plugin: z.string().min(1).optional(),
    attributes,
  })
  .strict()
  .refine((d) => d.path !== undefined || d.plugin !== undefined, {
    message: 'a drive needs a "path" (local folder) or a "plugin" that serves it',
  });

export const identitySchema = z
  .object({
    name: z.string().min(1),
    /** local POSIX account; defaults to name */
    account: z.string().min(1).optional(),
    attributes,
  })
  .strict();

const policyRule = z.object({ peer: z.string().min(1), agreement: z.string().min(1) }).strict();

export const policySchema = z
  .object({
    /** rules for transfers where this site is the source, keyed by peer provider id or '*' */
    outgoing: z.array(policyRule).default([]),
    /** rules for transfers where this site is the destination */
    incoming: z.array(policyRule).default([]),
    /** peer provider ids refused in both directions, whatever the rules say */
    deny: z.array(z.string().min(1)).default([]),
  })
  .strict();

export const pluginEntrySchema = z
  .object({
    /** npm package name, or a path (./ ../ /) to a plugin folder */
    package: z.string().min(1),
    /** validated by the plugin's own optionsSchema */
    options: z.unknown().default({}),
  })
  .strict();

export const coreSchema = z
  .object({
    url: z.string().url(),
    signPublicKey: z.string().min(1).optional(),
    signPublicKeyFile: z.string().min(1).optional(),
  })
  .strict()
  .refine((c) => (c.signPublicKey === undefined) !== (c.signPublicKeyFile === undefined), {
    message: 'give exactly one of "signPublicKey" or "signPublicKeyFile" (the core\'s Ed25519 public key)',
  });

export const gatewayConfigSchema = z
  .object({
    id,
    name: z.string().min(1),
    listen: z
      .object({
        host: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8081),
      })
      .strict()
      .default({}),
    core: coreSchema,
    stateDir: z.string().min(1),
    databaseUrl: z.string().min(1).nullable().default(null),
    drives: z.array(driveSchema).default([]),
    identities: z.array(identitySchema).default([]),
    policy: policySchema.default({}),
    plugins: z.array(pluginEntrySchema).min(1, 'configure at least one mechanism plugin'),
    progressIntervalMs: z.number().int().min(10).max(60_000).default(250),
    signatureWindowSeconds: z.number().int().min(1).max(3600).default(60),
    sweepIntervalMs: z.number().int().min(50).max(3_600_000).default(5000),
    maxBodyBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
    /** the core's finalize call carries the source's whole file manifest (~100 bytes a file with checksums) */
    maxManifestBodyBytes: z.number().int().min(1024 * 1024).max(1024 * 1024 * 1024).default(64 * 1024 * 1024),
    logLevel: z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log'),
    /** secret: when set, GET /metrics needs `Authorization: Bearer <this>` */
    metricsToken: z.string().min(16, 'use at least 16 characters').nullable().default(null),
  })
  .strict();

export type RawGatewayConfig = z.input<typeof gatewayConfigSchema>;
export type ParsedGatewayConfig = z.output<typeof gatewayConfigSchema>;
