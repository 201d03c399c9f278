/** Why `value` would not survive the gateway's JSON persistence unchanged, or null when it would. */
export function jsonProblem(value: unknown, where = '$'): string | null {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : `${where} is not a finite number`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = jsonProblem(value[i], `${where}[${i}]`);
      if (p) return p;
    }
    return null;
  }
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return `${where} is a ${proto?.constructor?.name ?? 'class instance'}, not a plain object`;
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined) continue;
      const p = jsonProblem(v, `${where}.${k}`);
      if (p) return p;
    }
    return null;
  }
  return `${where} is a ${typeof value}`;
}

export const jsonClone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
