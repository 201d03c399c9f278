import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { FileManifest } from '@ferry/contracts';
import type { FinalizeResult } from '@ferry/plugin-sdk';
import { mapLimit } from '../concurrency.util';
import { hashFile } from '../source/source-tree.util';
import { regularFileSizes } from './file-sizes.util';

/**
 * Checks what arrived in `destDir` against the source's manifest: the size of every file, or its
 * sha256 when the manifest carries checksums. Every difference is listed (missing files with
 * actual = null). Manifest paths come from the other site: one that is not a clean relative path
 * is a mismatch, never a file we open.
 *
 * Sizes are read for the whole tree at once by one find process (file-sizes.util); a file it did
 * not report (missing, not a regular file, reached through a symlink) and every file when find is
 * not usable are looked at one by one with lstat, so the verdict is the same either way.
 */
export async function verifyManifest(destDir: string, manifest: FileManifest, findPath?: string): Promise<FinalizeResult> {
  const checksum = manifest.verify === 'checksum';
  type Mismatch = NonNullable<FinalizeResult['mismatches']>[number];
  const sizes = checksum ? null : await regularFileSizes(destDir, topLevelNames(manifest), findPath);
  // several files at once (one by one, 10,000 small files took seconds); reported in manifest order
  const checked = await mapLimit(manifest.files, checksum ? 4 : 32, async (f): Promise<Mismatch | null> => {
    const expected = checksum ? (f.sha256 ?? '') : String(f.size);
    const abs = confined(destDir, f.path);
    if (!abs) return { path: String(f.path), expected, actual: null };
    const found = sizes?.get(f.path);
    if (found !== undefined) return found === f.size ? null : { path: f.path, expected, actual: String(found) };
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

/** the first component of every clean manifest path: where find starts */
function topLevelNames(manifest: FileManifest): string[] {
  const names = new Set<string>();
  for (const f of manifest.files) if (confined('/', f.path)) names.add(f.path.split('/')[0]);
  return [...names];
}

function confined(root: string, rel: unknown): string | null {
  if (typeof rel !== 'string' || rel === '' || rel.includes('\0') || rel.includes('\\') || path.posix.isAbsolute(rel)) return null;
  if (rel.split('/').some((s) => s === '' || s === '.' || s === '..')) return null;
  return path.join(root, ...rel.split('/'));
}
