import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import * as path from 'node:path';

/** A tree to write: a string or Buffer is a file, an object is a folder (empty object: empty folder). */
export type TreeSpec = { [name: string]: string | Buffer | TreeSpec };

export interface TreeEntry {
  type: 'file' | 'dir' | 'symlink' | 'other';
  size: number;
  sha256?: string;
}

export async function writeTree(dir: string, spec: TreeSpec): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  for (const [name, value] of Object.entries(spec)) {
    const p = path.join(dir, name);
    if (typeof value === 'string' || Buffer.isBuffer(value)) await fs.writeFile(p, value);
    else await writeTree(p, value);
  }
}

/** A file of `size` pseudo-random bytes, written in 1 MiB pieces (cheap even for hundreds of MiB). */
export async function writeRandomFile(file: string, size: number): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const fh = await fs.open(file, 'w');
  try {
    const block = randomBytes(1024 * 1024);
    let written = 0;
    let n = 0;
    while (written < size) {
      const len = Math.min(block.length, size - written);
      // vary each block so a shifted or repeated block cannot pass for the right one
      block.writeUInt32BE(n++, 0);
      await fh.write(block, 0, len, written);
      written += len;
    }
  } finally {
    await fh.close();
  }
}

export function sha256OfFile(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file, { highWaterMark: 1024 * 1024 })
      .on('data', (c) => h.update(c))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}

/** Every entry under `dir` by relative '/'-path (files with sha256), without following symlinks. */
export async function readTree(dir: string, withHashes = true): Promise<Map<string, TreeEntry>> {
  const out = new Map<string, TreeEntry>();
  const walk = async (abs: string, rel: string) => {
    for (const name of (await fs.readdir(abs)).sort()) {
      const a = path.join(abs, name);
      const r = rel ? `${rel}/${name}` : name;
      const st = await fs.lstat(a);
      if (st.isDirectory()) {
        out.set(r, { type: 'dir', size: 0 });
        await walk(a, r);
      } else if (st.isFile()) {
        out.set(r, { type: 'file', size: st.size, ...(withHashes ? { sha256: await sha256OfFile(a) } : {}) });
      } else {
        out.set(r, { type: st.isSymbolicLink() ? 'symlink' : 'other', size: st.size });
      }
    }
  };
  await walk(dir, '');
  return out;
}

/** Differences between two trees as readable lines ([] when identical). */
export function diffTrees(expected: Map<string, TreeEntry>, actual: Map<string, TreeEntry>): string[] {
  const lines: string[] = [];
  for (const [rel, e] of expected) {
    const a = actual.get(rel);
    if (!a) lines.push(`missing ${e.type} ${rel}`);
    else if (a.type !== e.type) lines.push(`${rel}: expected ${e.type}, found ${a.type}`);
    else if (e.type === 'file' && (a.size !== e.size || a.sha256 !== e.sha256)) lines.push(`${rel}: content differs`);
  }
  for (const [rel, a] of actual) if (!expected.has(rel)) lines.push(`unexpected ${a.type} ${rel}`);
  return lines;
}

/** The tree under `dir`, with every path prefixed by `prefix` (what DST/basename(SRC) should hold). */
export function prefixTree(tree: Map<string, TreeEntry>, prefix: string, selfEntry?: TreeEntry): Map<string, TreeEntry> {
  const out = new Map<string, TreeEntry>();
  if (prefix && selfEntry) out.set(prefix, selfEntry);
  for (const [rel, e] of tree) out.set(prefix ? `${prefix}/${rel}` : rel, e);
  return out;
}

/** The tree the kit sends by default: nesting, empty file, empty folder, unicode names, binary data. */
export function defaultTree(): TreeSpec {
  const many: TreeSpec = {};
  for (let i = 0; i < 24; i++) many[`f${String(i).padStart(3, '0')}.txt`] = `file ${i}\n`.repeat(i + 1);
  return {
    'readme.txt': 'ferry conformance fixture\n',
    'empty.bin': Buffer.alloc(0),
    'empty-folder': {},
    'ünïcødé ファイル.txt': 'unicode name\n',
    nested: { deeper: { 'blob.bin': randomBytes(300 * 1024 + 17) }, 'sibling.txt': 'sibling\n' },
    many,
  };
}
