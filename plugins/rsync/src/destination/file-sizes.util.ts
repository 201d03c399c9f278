import { spawn } from 'node:child_process';

/** start points per find run (a drive root's contents can have many top-level names) */
const START_POINTS_PER_RUN = 512;

/**
 * Sizes of the regular files under some top-level entries of `dir`, by path relative to `dir`,
 * from GNU find (`-printf`): one child process walks the tree, where lstat() from node costs a
 * thread-pool round trip and a Stats object per file, about 5x the CPU for 10,000 files
 * (docs/performance.md). find does not follow symlinks, so every path it reports is a real one.
 * null when find cannot be used here (not installed, not GNU, an error under the tree): the
 * caller then looks at each file itself.
 */
export async function regularFileSizes(dir: string, topLevel: readonly string[], findPath = 'find'): Promise<Map<string, number> | null> {
  const sizes = new Map<string, number>();
  for (let i = 0; i < topLevel.length; i += START_POINTS_PER_RUN) {
    // './name': a name that starts with '-' or looks like an expression stays a path
    const starts = topLevel.slice(i, i + START_POINTS_PER_RUN).map((n) => `./${n}`);
    const ok = await findInto(sizes, dir, starts, findPath);
    if (!ok) return null;
  }
  return sizes;
}

function findInto(sizes: Map<string, number>, cwd: string, starts: string[], findPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(findPath, [...starts, '-type', 'f', '-printf', '%s %p\\0'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] });
    let tail = Buffer.alloc(0);
    let bad = false;
    child.stdout.on('data', (chunk: Buffer) => {
      let buf = tail.length > 0 ? Buffer.concat([tail, chunk]) : chunk;
      for (let nul = buf.indexOf(0); nul !== -1; nul = buf.indexOf(0)) {
        const rec = buf.toString('utf8', 0, nul);
        buf = buf.subarray(nul + 1);
        const space = rec.indexOf(' ');
        const size = Number(rec.slice(0, space));
        // '%p' is the start point ('./name') followed by the rest of the path
        if (space < 1 || !Number.isSafeInteger(size) || !rec.startsWith('./', space + 1)) {
          bad = true;
          continue;
        }
        sizes.set(rec.slice(space + 3), size);
      }
      tail = Buffer.from(buf);
    });
    child.once('error', () => resolve(false));
    child.once('close', (code) => resolve(code === 0 && !bad && tail.length === 0));
  });
}
