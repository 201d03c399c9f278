import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import type { FileManifest } from '@ferry/contracts';
import { PathJail } from '../server/path-jail';

export interface Mismatch {
  path: string;
  expected: string;
  actual: string | null;
}

const HASH_CONCURRENCY = 4;

/**
 * Checks every manifest file under the destination folder: it must be a regular file (not a link)
 * inside the folder, of the stated size, and with the stated sha256 when the manifest carries
 * checksums. Values read "size:<n>" or "sha256:<hex>"; actual is null when the file is missing.
 */
export async function verifyManifest(root: string, manifest: FileManifest): Promise<Mismatch[]> {
  const jail = await PathJail.create(root);
  const mismatches: Mismatch[] = [];
  let next = 0;
  const worker = async () => {
    while (next < manifest.files.length) {
      const f = manifest.files[next++];
      const m = await checkOne(jail, f, manifest.verify === 'checksum');
      if (m) mismatches.push(m);
    }
  };
  await Promise.all(Array.from({ length: HASH_CONCURRENCY }, worker));
  return mismatches.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function checkOne(
  jail: PathJail,
  f: FileManifest['files'][number],
  checksum: boolean,
): Promise<Mismatch | null> {
  const expectedSize = `size:${f.size}`;
  let real: string;
  try {
    const jp = jail.resolveEntry(f.path);
    await jail.assertNoSymlinks(jp);
    real = jp.real;
  } catch {
    return { path: f.path, expected: expectedSize, actual: null };
  }
  const st = await fs.lstat(real).catch(() => null);
  if (!st || !st.isFile()) return { path: f.path, expected: expectedSize, actual: null };
  if (st.size !== f.size) return { path: f.path, expected: expectedSize, actual: `size:${st.size}` };
  if (checksum) {
    const actual = await sha256File(real);
    const expected = (f.sha256 ?? '').toLowerCase();
    if (actual !== expected) return { path: f.path, expected: `sha256:${expected}`, actual: `sha256:${actual}` };
  }
  return null;
}

export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file, { highWaterMark: 1024 * 1024 })
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}
