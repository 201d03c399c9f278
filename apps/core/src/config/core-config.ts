import * as path from 'node:path';
import { z } from 'zod';

/**
 * The core's configuration, read from environment variables once at start-up and validated here.
 * Nothing else in the core reads process.env. A bad value stops the process with a message that
 * names the variable, before anything listens or touches the database.
 */
const LOG_LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;
export type CoreLogLevel = (typeof LOG_LEVELS)[number];
const LOG_FORMATS = ['text', 'json'] as const;
export type CoreLogFormat = (typeof LOG_FORMATS)[number];

const int = (name: string, min: number, max: number) =>
  z.coerce
    .number({ invalid_type_error: `${name} must be a number` })
    .int(`${name} must be a whole number`)
    .min(min, `${name} must be at least ${min}`)
    .max(max, `${name} must be at most ${max}`);

const optionalText = z
  .string()
  .transform((s) => s.trim())
  .optional()
  .transform((s) => (s ? s : undefined));

/** Every environment variable the core reads (docs/operator-guide.md lists each; a test checks). */
export const coreEnvSchema = z.object({
  FERRY_HOST: z.string().min(1).default('127.0.0.1'),
  FERRY_PORT: int('FERRY_PORT', 0, 65535).default(8080),
  FERRY_DATA_DIR: z.string().min(1).default('./.ferry/core'),
  DATABASE_URL: optionalText.refine((u) => !u || /^postgres(ql)?:\/\//.test(u), {
    message: 'DATABASE_URL must start with postgres:// or postgresql://',
  }),
  FERRY_CORE_KEY_FILE: optionalText,
  FERRY_SEED_FILE: optionalText,
  FERRY_TRIGGER_DEADLINE_SECONDS: int('FERRY_TRIGGER_DEADLINE_SECONDS', 1, 7 * 24 * 3600).default(900),
  FERRY_SWEEP_INTERVAL_MS: int('FERRY_SWEEP_INTERVAL_MS', 50, 3_600_000).default(2000),
  FERRY_WEB_DIR: z.string().min(1).default('apps/web/dist'),
  FERRY_LOG_LEVEL: z.enum(LOG_LEVELS, { errorMap: () => ({ message: `FERRY_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` }) }).default('log'),
  FERRY_MAX_BODY_BYTES: int('FERRY_MAX_BODY_BYTES', 1024, 64 * 1024 * 1024).default(1_048_576),
  /** bodies of gateways' calls (/api/gateway/...): a completion report carries the whole file manifest */
  FERRY_MAX_GATEWAY_BODY_BYTES: int('FERRY_MAX_GATEWAY_BODY_BYTES', 1024, 1024 * 1024 * 1024).default(64 * 1024 * 1024),
  /** additive: how far a gateway's signed request may be off our clock (default as in libs/crypto) */
  FERRY_SIGNATURE_WINDOW_SECONDS: int('FERRY_SIGNATURE_WINDOW_SECONDS', 1, 3600).default(60),
  /** additive: timeout for each core -> gateway call */
  FERRY_GATEWAY_TIMEOUT_MS: int('FERRY_GATEWAY_TIMEOUT_MS', 100, 300_000).default(15_000),
  /** text for people (the demo), json for log collectors: one object per line */
  FERRY_LOG_FORMAT: z.enum(LOG_FORMATS, { errorMap: () => ({ message: `FERRY_LOG_FORMAT must be one of ${LOG_FORMATS.join(', ')}` }) }).default('text'),
  /** secret: when set, GET /metrics needs `Authorization: Bearer <this>` */
  FERRY_METRICS_TOKEN: optionalText.refine((t) => !t || t.length >= 16, { message: 'FERRY_METRICS_TOKEN must be at least 16 characters' }),
  /** requests per minute per API token (token bucket per process, bursts up to the same number); 0 turns it off */
  FERRY_RATE_LIMIT_PER_MINUTE: int('FERRY_RATE_LIMIT_PER_MINUTE', 0, 1_000_000).default(1200),
  /** a STARTING/RUNNING/PAUSED task without a report for this long is checked with its source gateway */
  FERRY_STALE_TASK_SECONDS: int('FERRY_STALE_TASK_SECONDS', 1, 7 * 24 * 3600).default(120),
  /** a stale task whose source gateway has not answered for this long fails ('source gateway unreachable') */
  FERRY_SOURCE_UNREACHABLE_SECONDS: int('FERRY_SOURCE_UNREACHABLE_SECONDS', 1, 30 * 24 * 3600).default(900),
});

export interface CoreConfig {
  host: string;
  port: number;
  /** absolute */
  dataDir: string;
  /** secret: may carry a password */
  databaseUrl: string | null;
  /** absolute; Ed25519 key pair JSON, created 0600 when missing */
  coreKeyFile: string;
  seedFile: string | null;
  triggerDeadlineSeconds: number;
  sweepIntervalMs: number;
  webDir: string;
  logLevel: CoreLogLevel;
  maxBodyBytes: number;
  /** limit for /api/gateway/... bodies (manifests of large trees) */
  maxGatewayBodyBytes: number;
  signatureWindowSeconds: number;
  gatewayTimeoutMs: number;
  logFormat: CoreLogFormat;
  /** secret: bearer token for /metrics, or null (metrics open to whoever reaches the port) */
  metricsToken: string | null;
  /** 0: no rate limit */
  rateLimitPerMinute: number;
  staleTaskSeconds: number;
  sourceUnreachableSeconds: number;
}

/** Fields that must never be logged as they are (twenty's isSensitive idea). */
export const SECRET_CONFIG_FIELDS: ReadonlyArray<keyof CoreConfig> = ['databaseUrl', 'metricsToken'];

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses environment variables into a CoreConfig; throws ConfigError listing every bad variable. */
export function loadCoreConfig(env: Record<string, string | undefined> = process.env, cwd = process.cwd()): CoreConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = coreEnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new ConfigError(`invalid core configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(cwd, e.FERRY_DATA_DIR);
  return {
    host: e.FERRY_HOST,
    port: e.FERRY_PORT,
    dataDir,
    databaseUrl: e.DATABASE_URL ?? null,
    coreKeyFile: path.resolve(cwd, e.FERRY_CORE_KEY_FILE ?? path.join(dataDir, 'core-sign.key.json')),
    seedFile: e.FERRY_SEED_FILE ? path.resolve(cwd, e.FERRY_SEED_FILE) : null,
    triggerDeadlineSeconds: e.FERRY_TRIGGER_DEADLINE_SECONDS,
    sweepIntervalMs: e.FERRY_SWEEP_INTERVAL_MS,
    webDir: path.resolve(cwd, e.FERRY_WEB_DIR),
    logLevel: e.FERRY_LOG_LEVEL,
    maxBodyBytes: e.FERRY_MAX_BODY_BYTES,
    maxGatewayBodyBytes: e.FERRY_MAX_GATEWAY_BODY_BYTES,
    signatureWindowSeconds: e.FERRY_SIGNATURE_WINDOW_SECONDS,
    gatewayTimeoutMs: e.FERRY_GATEWAY_TIMEOUT_MS,
    logFormat: e.FERRY_LOG_FORMAT,
    metricsToken: e.FERRY_METRICS_TOKEN ?? null,
    rateLimitPerMinute: e.FERRY_RATE_LIMIT_PER_MINUTE,
    staleTaskSeconds: e.FERRY_STALE_TASK_SECONDS,
    sourceUnreachableSeconds: e.FERRY_SOURCE_UNREACHABLE_SECONDS,
  };
}

/** The config with secrets masked, for the start-up log line. */
export function describeConfig(config: CoreConfig): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config };
  for (const k of SECRET_CONFIG_FIELDS) if (out[k]) out[k] = '***';
  return out;
}

/** Nest logger levels enabled by a FERRY_LOG_LEVEL (that level and everything more severe). */
export function nestLogLevels(level: CoreLogLevel): CoreLogLevel[] {
  return LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level) + 1);
}

/** DI token for the CoreConfig object. */
export const CORE_CONFIG = Symbol('CORE_CONFIG');
