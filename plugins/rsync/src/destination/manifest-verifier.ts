import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { FileManifest } from '@ferry/contracts';
import type { FinalizeResult } from '@ferry/plugin-sdk';
import { mapLimit } from '../concurrency.util';
import { hashFile } from '../source/source-tree.util';
import { regularFileSizes } from './file-sizes.util';

/** below this many files, lstat-ing each costs less than starting find */
const FIND_FROM_FILES = 256;

export interface VerifyOptions {
  /** find(1) to use; default 'find' from PATH */
  findPath?: string;
  /** use find from this many files on (default 256) */
  findFromFiles?: number;
}

type Mismatch = NonNullable<FinalizeResult['mismatches']>[number];

/**
 * Checks what arrived in `destDir` against the source's manifest: the size of every file, or its
 * sha256 when the manifest carries checksums. Every difference is listed (missing files with
 * actual = null). Manifest paths come from the other site: one that is not a clean relative path
 * is a mismatch, never a file we open.
 *
 * Sizes of a larger tree are read at once by one find process (file-sizes.util); a file it did
 * not report (missing, not a regular file, reached through a symlink) and every file when find is
 * not usable are looked at one by one with lstat, so the verdict is the same either way.
 */
export async function verifyManifest(destDir: string, manifest: FileManifest, o: VerifyOptions = {}): Promise<FinalizeResult> {
  const checksum = manifest.verify === 'checksum';
  const files = manifest.files;
  const clean = files.map((f) => isCleanPath(f.path));
  const useFind = !checksum && files.length >= (o.findFromFiles ?? FIND_FROM_FILES);
  const sizes = useFind ? await regularFileSizes(destDir, topLevelNames(files, clean), o.findPath) : null;
  const checked = new Array<Mismatch | null>(files.length).fill(null);
  const rest: number[] = [];
  files.forEach((f, i) => {
    const expected = checksum ? (f.sha256 ?? '') : String(f.size);
    if (!clean[i]) checked[i] = { path: String(f.path), expected, actual: null };
    else if (sizes?.has(f.path)) checked[i] = sizes.get(f.path) === f.size ? null : { path: f.path, expected, actual: String(sizes.get(f.path)) };
    else rest.push(i);
  });
  // the rest several at once (one by one, 10,000 small files took seconds); reported in manifest order
  await mapLimit(rest, checksum ? 4 : 32, async (i) => {
    checked[i] = await checkOne(destDir, files[i], checksum);
  });
  const mismatches = checked.filter((m): m is Mismatch => m !== null);
  const n = manifest.files.length;
  const how = checksum ? 'sha256' : 'size';
  if (mismatches.length === 0) return { ok: true, message: `verified ${n} file(s) by ${how}` };
  return {
    ok: false,
    mismatches,
    message: `${mismatches.length} of ${n} file(s) differ from the source (${how}): ${mismatches
      .slice(0, 3)
      .map((m) => m.path)
      .join(', ')}${mismatches.length > 3 ? ', …' : ''}`,
  };
}

async function checkOne(destDir: string, f: FileManifest['files'][number], checksum: boolean): Promise<Mismatch | null> {
  const expected = checksum ? (f.sha256 ?? '') : String(f.size);
  const abs = path.join(destDir, ...f.path.split('/'));
  let st;
  try {
    st = await fs.lstat(abs);
  } catch {
    return { path: f.path, expected, actual: null };
  }
  if (!st.isFile()) return { path: f.path, expected, actual: null };
  if (checksum) {
    const got = await hashFile(abs);
    if (got.sha256 !== f.sha256 || got.size !== f.size) return { path: f.path, expected, actual: got.sha256 };
  } else if (st.size !== f.size) {
    return { path: f.path, expected, actual: String(st.size) };
  }
  return null;
}

/** the first component of every clean manifest path: where find starts */
function topLevelNames(files: FileManifest['files'], clean: boolean[]): string[] {
  const names = new Set<string>();
  files.forEach((f, i) => clean[i] && names.add(f.path.split('/', 1)[0]));
  return [...names];
}

/** a relative path inside the folder: no '', '.', '..' segment, no backslash or NUL, not absolute */
function isCleanPath(rel: unknown): rel is string {
  if (typeof rel !== 'string' || rel === '' || rel.includes('\0') || rel.includes('\\') || rel.startsWith('/')) return false;
  return !rel.split('/').some((s) => s === '' || s === '.' || s === '..');
}
