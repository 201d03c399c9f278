import { lstatSync, readdirSync, promises as fs, type Stats } from 'node:fs';
import * as path from 'node:path';
import { MechanismError } from '@ferry/plugin-sdk';

export interface ScannedDir {
  /** relative to the destination folder, '/'-separated */
  rel: string;
  mtimeSec: number;
  atimeSec: number;
}

export interface ScannedFile extends ScannedDir {
  abs: string;
  size: number;
}

export interface ScannedTree {
  /** parents before children */
  dirs: ScannedDir[];
  files: ScannedFile[];
  bytesTotal: number;
  /** symlinks and special files left out, relative paths */
  skipped: string[];
}

/**
 * Lists what a transfer sends, before sending (so totals are known up front). Copy semantics as
 * `cp -r SRC DST/`: the source item keeps its name under the destination folder, except the drive
 * root whose contents are copied. Symlinks are not followed (one could lead outside the drive) and
 * are reported as skipped, as are sockets, devices and FIFOs. A big tree takes a while to list, so
 * `signal` (pause, cancel) stops the scan at the next entry with CANCELLED.
 */
export async function scanSource(localPath: string, isDriveRoot: boolean, signal?: AbortSignal): Promise<ScannedTree> {
  const top = await lstatOrThrow(localPath);
  const tree: ScannedTree = { dirs: [], files: [], bytesTotal: 0, skipped: [] };
  if (top.isSymbolicLink()) throw new MechanismError('BAD_PATH', 'the source is a symbolic link; links are not followed');
  if (top.isFile()) {
    tree.files.push(fileOf(path.basename(localPath), localPath, top));
    tree.bytesTotal = top.size;
    return tree;
  }
  if (!top.isDirectory()) throw new MechanismError('BAD_PATH', 'the source is neither a file nor a folder');

  const base = isDriveRoot ? '' : path.basename(localPath);
  if (base) tree.dirs.push(dirOf(base, top));
  const stack: Array<{ abs: string; rel: string }> = [{ abs: localPath, rel: base }];
  while (stack.length) {
    const { abs, rel } = stack.pop()!;
    // the event loop gets a turn between folders (and within big ones): a stop is seen there
    await new Promise((r) => setImmediate(r));
    if (signal?.aborted) throw new MechanismError('CANCELLED', 'stopped while listing the source');
    const names = readdirSync(abs).sort();
    const subdirs: Array<{ abs: string; rel: string }> = [];
    const stats = await lstatAll(names.map((name) => path.join(abs, name)), signal);
    for (let i = 0; i < names.length; i++) {
      const name = names[i];
      const childAbs = path.join(abs, name);
      const childRel = rel ? `${rel}/${name}` : name;
      const st = stats[i];
      if (st.isDirectory()) {
        tree.dirs.push(dirOf(childRel, st));
        subdirs.push({ abs: childAbs, rel: childRel });
      } else if (st.isFile()) {
        tree.files.push(fileOf(childRel, childAbs, st));
        tree.bytesTotal += st.size;
      } else {
        tree.skipped.push(childRel);
      }
    }
    // reversed so the stack pops them in name order: parents always precede their children
    stack.push(...subdirs.reverse());
  }
  return tree;
}

/**
 * lstat of every path, in order, with synchronous calls in batches of LSTAT_BATCH (yielding
 * between batches; `signal` stops it there with CANCELLED). A local lstat costs a few µs; through
 * the thread pool, even 32 at once, 10,000 of them took a large part of a re-sync.
 */
async function lstatAll(paths: string[], signal?: AbortSignal): Promise<Stats[]> {
  const out = new Array<Stats>(paths.length);
  for (let i = 0; i < paths.length; i++) {
    if (i > 0 && i % LSTAT_BATCH === 0) {
      await new Promise((r) => setImmediate(r));
      if (signal?.aborted) throw new MechanismError('CANCELLED', 'stopped while listing the source');
    }
    out[i] = lstatSync(paths[i]);
  }
  return out;
}

const LSTAT_BATCH = 1000;

/** Refuses a source that is missing, unreadable or a symlink (prepare checks this much only). */
export async function checkSource(p: string): Promise<void> {
  const st = await lstatOrThrow(p);
  if (st.isSymbolicLink()) throw new MechanismError('BAD_PATH', 'the source is a symbolic link; links are not followed');
  if (!st.isFile() && !st.isDirectory()) throw new MechanismError('BAD_PATH', 'the source is neither a file nor a folder');
}

async function lstatOrThrow(p: string): Promise<Stats> {
  try {
    return await fs.lstat(p);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new MechanismError('NOT_FOUND', 'the source path does not exist');
    if (code === 'EACCES' || code === 'EPERM') throw new MechanismError('PERMISSION_DENIED', 'the source path is not readable');
    throw e;
  }
}

const secs = (ms: number) => Math.floor(ms / 1000);
const dirOf = (rel: string, st: Stats): ScannedDir => ({ rel, mtimeSec: secs(st.mtimeMs), atimeSec: secs(st.atimeMs) });
const fileOf = (rel: string, abs: string, st: Stats): ScannedFile => ({ ...dirOf(rel, st), abs, size: st.size });
