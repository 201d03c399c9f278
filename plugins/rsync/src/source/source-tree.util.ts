import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { FileManifest } from '@ferry/contracts';
import { MechanismError } from '@ferry/plugin-sdk';
import { mapLimit } from '../concurrency.util';

const LSTAT_CONCURRENCY = 32;

/**
 * The source's own listing, used only when rsync's file list does not add up to its --stats
 * (rsync.job.ts). What is sent: regular files under the source item (symlinks travel as symlinks and special
 * files are skipped, so neither is counted or listed). Paths in the manifest are relative to the
 * destination folder: '<item>/<rel>' for a folder or file, '<rel>' for a drive root's contents.
 */
export interface SourceFile {
  /** path relative to the destination folder, '/'-separated */
  rel: string;
  abs: string;
  size: number;
}

export async function listSourceFiles(localPath: string, contents: boolean): Promise<SourceFile[]> {
  let st;
  try {
    st = await fs.lstat(localPath);
  } catch {
    throw new MechanismError('NOT_FOUND', 'the source path does not exist (any more)');
  }
  const item = contents ? '' : path.basename(localPath);
  if (st.isFile()) return [{ rel: item, abs: localPath, size: st.size }];
  if (!st.isDirectory()) return [];
  const out: SourceFile[] = [];
  const walk = async (abs: string, rel: string) => {
    const names = (await fs.readdir(abs)).sort();
    // a folder's entries are looked at together (one by one, 10,000 files took seconds)
    const stats = await mapLimit(names, LSTAT_CONCURRENCY, (name) => fs.lstat(path.join(abs, name)).catch(() => null));
    for (let i = 0; i < names.length; i++) {
      const s = stats[i];
      if (!s) continue; // vanished while we looked
      const a = path.join(abs, names[i]);
      const r = rel ? `${rel}/${names[i]}` : names[i];
      if (s.isDirectory()) await walk(a, r);
      else if (s.isFile()) out.push({ rel: r, abs: a, size: s.size });
    }
  };
  await walk(localPath, item);
  return out;
}

export function totalsOf(files: SourceFile[]): { bytes: number; files: number } {
  return { bytes: files.reduce((n, f) => n + f.size, 0), files: files.length };
}

/** The manifest the destination verifies; sha256 of every file when verify = 'checksum'. */
export async function buildManifest(files: SourceFile[], verify: 'size' | 'checksum', signal?: AbortSignal): Promise<FileManifest> {
  const out: FileManifest = { verify, files: [] };
  if (verify === 'size') {
    // `files` is rsync's own file list (or, should it not add up, a listing made after rsync): its sizes are the ones to check
    out.files = files.map((f) => ({ path: f.rel, size: f.size }));
    return out;
  }
  for (const f of files) {
    if (signal?.aborted) throw new MechanismError('CANCELLED', 'stopped while hashing');
    const { size, sha256 } = await hashFile(f.abs);
    out.files.push({ path: f.rel, size, sha256 });
  }
  return out;
}

export function hashFile(file: string): Promise<{ size: number; sha256: string }> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    let size = 0;
    createReadStream(file, { highWaterMark: 1024 * 1024 })
      .on('data', (c: Buffer | string) => {
        size += c.length;
        h.update(c);
      })
      .on('error', reject)
      .on('end', () => resolve({ size, sha256: h.digest('hex') }));
  });
}
