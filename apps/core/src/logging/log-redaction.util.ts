/**
 * Last line of defence against secrets in logs: code never logs tokens, keys or envelopes on
 * purpose, and this scrubs what might slip through (an error message quoting a header, an object
 * logged whole). Applied by both log formats to every message.
 */

/** Keys whose values are never logged, in any object or JSON text (compared case-insensitively). */
const SECRET_KEYS = [
  'authorization',
  'token',
  'accesstoken',
  'access_token',
  'refreshtoken',
  'refresh_token',
  'triggertoken',
  'secret',
  'secretkey',
  'clientsecret',
  'client_secret',
  'privatekey',
  'password',
  'ct',
  'plaintext',
  'envelope',
  'sealed',
  'forpeer',
  'metricstoken',
];
const SECRET_KEY_SET = new Set(SECRET_KEYS);
export const REDACTED = '[redacted]';

const TEXT_RULES: Array<[RegExp, string]> = [
  // Authorization header values, whatever the scheme
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`],
  // tokens in query strings (the event stream accepts ?access_token=)
  [/([?&](?:access_token|token)=)[^&\s"']+/gi, `$1${REDACTED}`],
  // passwords in connection URLs
  [/\b([a-z][a-z0-9+.-]*:\/\/[^:/?#\s@]+):[^@/?#\s]+@/gi, `$1:${REDACTED}@`],
  // "key": "value" pairs of secret keys inside JSON text
  [new RegExp(`"(${SECRET_KEYS.join('|')})"\\s*:\\s*"(?:[^"\\\\]|\\\\.)*"`, 'gi'), `"$1":"${REDACTED}"`],
  // tokens made by the admin API: ferry_ + 43 random base64url characters (metric names do not match)
  [/\bferry_(?=[A-Za-z0-9_-]*[A-Z0-9])[A-Za-z0-9_-]{40,}/g, `ferry_${REDACTED}`],
];

export function redactText(s: string): string {
  let out = s;
  for (const [re, to] of TEXT_RULES) out = out.replace(re, to);
  return out;
}

/** A deep copy with secret keys replaced and every string scrubbed; cycles and depth are bounded. */
export function redactValue(v: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof v === 'string') return redactText(v);
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof Error) return redactText(v.stack ?? v.message);
  if (seen.has(v) || depth > 8) return '[…]';
  seen.add(v);
  if (Array.isArray(v)) return v.map((x) => redactValue(x, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    out[k] = SECRET_KEY_SET.has(k.toLowerCase()) ? REDACTED : redactValue(x, depth + 1, seen);
  }
  return out;
}
