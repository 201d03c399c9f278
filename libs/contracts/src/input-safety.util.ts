/**
 * What makes a parsed request unsafe before any schema sees it. Both the core and the gateways
 * refuse these up front: NUL bytes end C strings in the file-system and database layers below
 * (a NUL under a key `path` is a bad path, elsewhere a validation failure), and nesting deeper
 * than a few dozen levels only serves to make recursive validators blow the stack.
 */
export type UnsafeInput = 'nul' | 'path' | 'deep';

/** Nesting depth a request body may have; ferry's own bodies use fewer than ten levels. */
export const MAX_INPUT_DEPTH = 32;

/** Walks a parsed value without recursion (it may nest thousands deep); null when it is safe. */
export function findUnsafeInput(value: unknown, maxDepth = MAX_INPUT_DEPTH): UnsafeInput | null {
  const stack: Array<[unknown, number, string]> = [[value, 0, '']];
  while (stack.length) {
    const [v, depth, key] = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\0')) return key === 'path' ? 'path' : 'nul';
    } else if (v && typeof v === 'object') {
      if (depth >= maxDepth) return 'deep';
      for (const [k, c] of Object.entries(v)) {
        if (k.includes('\0')) return 'nul';
        stack.push([c, depth + 1, Array.isArray(v) ? key : k]);
      }
    }
  }
  return null;
}
