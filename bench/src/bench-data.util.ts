import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Random bytes (incompressible, so no tool gains from compression), written in 4 MiB pieces. */
export function writeRandomFile(file: string, size: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'w');
  try {
    for (let done = 0; done < size; ) {
      const n = Math.min(4 << 20, size - done);
      fs.writeSync(fd, randomBytes(n));
      done += n;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** `files` random files of `size` bytes spread evenly over `folders` folders under `root`. */
export function writeRandomTree(root: string, files: number, folders: number, size: number): void {
  const perFolder = Math.ceil(files / folders);
  let n = 0;
  for (let d = 0; d < folders && n < files; d++) {
    const dir = path.join(root, `d${String(d).padStart(3, '0')}`);
    fs.mkdirSync(dir, { recursive: true });
    for (let i = 0; i < perFolder && n < files; i++, n++) fs.writeFileSync(path.join(dir, `f${String(i).padStart(5, '0')}.bin`), randomBytes(size));
  }
}

/** Reads every file under `p` once: the same page-cache warm-up before every tool's run. */
export function warm(p: string): void {
  const buf = Buffer.allocUnsafe(4 << 20);
  const walk = (q: string) => {
    const st = fs.lstatSync(q);
    if (st.isDirectory()) {
      for (const e of fs.readdirSync(q)) walk(path.join(q, e));
    } else if (st.isFile()) {
      const fd = fs.openSync(q, 'r');
      try {
        while (fs.readSync(fd, buf, 0, buf.length, null) > 0);
      } finally {
        fs.closeSync(fd);
      }
    }
  };
  walk(p);
}

/** Files and bytes under `p` (to check that a run delivered everything). */
export function countTree(p: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  const walk = (q: string) => {
    const st = fs.lstatSync(q);
    if (st.isDirectory()) for (const e of fs.readdirSync(q)) walk(path.join(q, e));
    else if (st.isFile()) {
      files++;
      bytes += st.size;
    }
  };
  walk(p);
  return { files, bytes };
}

/** Throws unless `p` holds exactly what was sent. */
export function expectDelivered(p: string, want: { files: number; bytes: number }, who: string): void {
  const got = countTree(p);
  if (got.files !== want.files || got.bytes !== want.bytes) {
    throw new Error(`${who} delivered ${got.files} files / ${got.bytes} bytes to ${p}, expected ${want.files} / ${want.bytes}`);
  }
}

/** Copies a tree keeping modification times (a destination that already holds the data). */
export function copyTreeKeepingTimes(src: string, dst: string, uid: number, gid: number): void {
  const st = fs.lstatSync(src);
  if (st.isDirectory()) {
    fs.mkdirSync(dst, { recursive: true });
    for (const e of fs.readdirSync(src)) copyTreeKeepingTimes(path.join(src, e), path.join(dst, e), uid, gid);
  } else {
    fs.copyFileSync(src, dst);
  }
  fs.chownSync(dst, uid, gid);
  fs.utimesSync(dst, st.atime, st.mtime);
}
