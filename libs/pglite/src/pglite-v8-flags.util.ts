import * as v8 from 'node:v8';

/**
 * V8 flags for a process that embeds PGlite, applied before PGlite's WebAssembly module (9 MB of
 * Postgres) is compiled; V8 reads them when it compiles, so they have no effect on a module compiled
 * earlier.
 *
 * `--liftoff-only`: V8 compiles wasm functions lazily with its baseline compiler (Liftoff) and, by
 * default, recompiles the ones it finds hot with TurboFan on background threads. For Postgres that
 * optimizing tier is what costs memory: its code, and the compiler's scratch memory left behind in
 * glibc's per-thread malloc arenas, were ~60-70 MB of an idle gateway's RSS (docs/performance.md).
 * The gateway and the small-site core run a few short statements per request, where the baseline code
 * was measured no slower (the optimizing compiles themselves cost CPU at start-up).
 *
 * The flag is process-wide: it also applies to other wasm compiled later in the process (Node's
 * fetch compiles its HTTP parser to wasm), which is small.
 */
export const PGLITE_V8_FLAGS: readonly string[] = ['--liftoff-only'];

let applied = false;

/** Applies PGLITE_V8_FLAGS once per process. Returns true the first time. */
export function applyPgliteV8Flags(): boolean {
  if (applied) return false;
  applied = true;
  for (const flag of PGLITE_V8_FLAGS) v8.setFlagsFromString(flag);
  return true;
}
