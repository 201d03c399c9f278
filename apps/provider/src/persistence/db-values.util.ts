/**
 * The one place where database values become JS values. PGlite returns int8 as a JS number (or
 * bigint) while node-postgres returns it as a string; timestamps may come as Date or string.
 */
export function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint' || typeof v === 'string') return Number(v);
  throw new Error(`expected a number from the database, got ${typeof v}`);
}

export function toNumberOrNull(v: unknown): number | null {
  return v === null || v === undefined ? null : toNumber(v);
}

export function toDate(v: unknown): Date {
  return v instanceof Date ? v : new Date(String(v));
}

/** jsonb parameters are sent as text and cast in SQL (`$n::jsonb`), the same on both drivers. */
export function json(v: unknown): string | null {
  return v === undefined || v === null ? null : JSON.stringify(v);
}

export function fromJson<T>(v: unknown): T {
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}
