import type { PluginLogger } from '@ferry/plugin-sdk';

const SENSITIVE_KEY = /secret|token|authorization|password|assertion|cookie/i;
const AUTH_SCHEME = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g;
const REDACTED = '[redacted]';

/** Replaces known secret values and anything that looks like an Authorization header value. */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = text.replace(AUTH_SCHEME, `$1 ${REDACTED}`);
  for (const s of secrets) if (s && s.length >= 6) out = out.split(s).join(REDACTED);
  return out;
}

/** Deep copy of log fields with sensitive keys blanked and secret values scrubbed from strings. */
export function redactFields(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === 'string') return redactText(value, secrets);
  if (value === null || typeof value !== 'object' || depth > 6) return value;
  if (value instanceof Error) return redactText(`${value.name}: ${value.message}`, secrets);
  if (Array.isArray(value)) return value.map((v) => redactFields(v, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SENSITIVE_KEY.test(k) ? REDACTED : redactFields(v, secrets, depth + 1);
  return out;
}

/**
 * The plugin logs only through this wrapper, so the client secret and access tokens cannot reach
 * the gateway's logs even when they appear inside an error message or a field.
 */
export function redactingLogger(inner: PluginLogger, secrets: () => readonly string[]): PluginLogger {
  const wrap =
    (level: keyof PluginLogger) =>
    (message: string, fields?: Record<string, unknown>): void => {
      const s = secrets();
      inner[level](redactText(message, s), fields ? (redactFields(fields, s) as Record<string, unknown>) : undefined);
    };
  return { debug: wrap('debug'), info: wrap('info'), warn: wrap('warn'), error: wrap('error') };
}
