import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Writes `size` random bytes (in 1 MiB pieces, so 200 MiB does not sit in memory). */
export async function writeRandomFile(file: string, size: number): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'w');
  try {
    for (let done = 0; done < size; ) {
      const n = Math.min(1 << 20, size - done);
      fs.writeSync(fd, randomBytes(n));
      done += n;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** A file of zeros that takes no disk space to create (for data that only needs to be big). */
export function writeSparseFile(file: string, size: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, '');
  fs.truncateSync(file, size);
}

export interface TreeSpec {
  bigFileBytes?: number;
  smallFiles?: number;
}

/**
 * The tree the suite transfers: nested folders, an empty file, an empty folder, unicode names
 * (composed and combining forms, CJK, emoji, spaces), optionally one big random file and many
 * small files spread over folders.
 */
export async function makeSampleTree(root: string, spec: TreeSpec = {}): Promise<void> {
  const put = (rel: string, content: string | Buffer) => {
    const f = path.join(root, rel);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, content);
  };
  put('README.txt', 'ferry e2e sample\n');
  put('empty.dat', '');
  put('nested/level1/level2/level3/deep.txt', 'deep\n');
  put('nested/level1/sibling.bin', randomBytes(70_000));
  put('unicode/Grüße – café.txt', 'café\n');
  put('unicode/cafe\u0301-combining.txt', 'combining\n');
  put('unicode/数据/観測 2026.csv', 'a,b\n1,2\n');
  put('unicode/🚢 ferry.md', '# 🚢\n');
  put('spaces in name/a file.txt', 'spaces\n');
  fs.mkdirSync(path.join(root, 'empty-folder'), { recursive: true });
  if (spec.bigFileBytes) await writeRandomFile(path.join(root, 'big', 'large.bin'), spec.bigFileBytes);
  for (let i = 0; i < (spec.smallFiles ?? 0); i++) {
    const dir = `small/d${String(i % 40).padStart(2, '0')}`;
    put(`${dir}/f${String(i).padStart(5, '0')}.txt`, randomBytes(64 + (i % 2048)).toString('base64'));
  }
}

export interface FileFacts {
  size: number;
  sha256: string;
}

async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Every regular file under root (relative POSIX path -> size and sha256), and every folder. */
export async function hashTree(root: string): Promise<{ files: Map<string, FileFacts>; dirs: Set<string> }> {
  const files = new Map<string, FileFacts>();
  const dirs = new Set<string>();
  const walk = async (dir: string, rel: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      const abs = path.join(dir, e.name);
      if (e.isDirectory()) {
        dirs.add(r);
        await walk(abs, r);
      } else if (e.isFile()) {
        files.set(r, { size: fs.statSync(abs).size, sha256: await sha256File(abs) });
      }
    }
  };
  if (fs.existsSync(root)) await walk(root, '');
  return { files, dirs };
}

/** Every path under root, files and folders (for "nothing moved / nothing left behind" checks). */
export function listAll(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      out.push(r);
      if (e.isDirectory()) walk(path.join(dir, e.name), r);
    }
  };
  if (fs.existsSync(root)) walk(root, '');
  return out.sort();
}
