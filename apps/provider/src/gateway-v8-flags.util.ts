import * as v8 from 'node:v8';

/**
 * V8 flags for a gateway process, applied once when the gateway starts.
 *
 * `--heap-growing-percent=300`: after each full garbage collection V8 sets the next old-generation
 * limit to the live size times a factor it derives from how fast the collector runs against how
 * fast the program promotes objects. While a gateway moves data through ssh2 (a fresh 32 KiB buffer
 * per SSH packet, a 256 KiB one per SFTP write) that factor can drop to ~1.1-1.8 for a live heap of
 * ~31 MB: the limit then sits closer above the live size than the young generation is large, so V8
 * starts incremental marking again as soon as one finishes. Traced on the 1 GiB benchmark: 20-25
 * full collections a second at the source gateway, the SSH client using 4.5-5.5 s of CPU per GiB
 * instead of ~1.3, and a process that fell into it stayed there (the "bimodal" sftp speed of
 * docs/performance.md). A fixed factor of 4 (V8's own maximum for a large heap) keeps the limit
 * well above the young generation; measured: 2-5 full collections per run instead of 140-190, every
 * round at full speed, and no higher peak RSS (the live heap is small; it is the collections'
 * frequency that changes, not what stays alive).
 */
export const GATEWAY_V8_FLAGS: readonly string[] = ['--heap-growing-percent=300'];

let applied = false;

/** Applies GATEWAY_V8_FLAGS once per process. Returns true the first time. */
export function applyGatewayV8Flags(): boolean {
  if (applied) return false;
  applied = true;
  for (const flag of GATEWAY_V8_FLAGS) v8.setFlagsFromString(flag);
  return true;
}
