import * as v8 from 'node:v8';

/**
 * V8 heap settings for the gateway process, applied when main.ts imports this file (its first
 * import, so before Nest, TypeORM and PGlite are loaded and allocate).
 *
 * `--semi-space-growth-factor=1`: the young generation stays at its initial size instead of doubling
 * up to 2 x 16 MB. A gateway's start (module loading, Nest, PGlite) is a burst of allocation that
 * otherwise grows it to its maximum for the life of the process: ~30 MB of an idle gateway's RSS
 * (docs/performance.md). Moving data does not need it bigger: the sftp data path ran the same number
 * of young-generation collections with and without the flag. V8 reads the flag when it considers
 * growing the young generation, so setting it at run time takes effect (measured).
 */
export const GATEWAY_V8_HEAP_FLAGS: readonly string[] = ['--semi-space-growth-factor=1'];

for (const flag of GATEWAY_V8_HEAP_FLAGS) v8.setFlagsFromString(flag);
