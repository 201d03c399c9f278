import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { PGlite as PGliteClass, PGliteOptions } from '@electric-sql/pglite';

/**
 * A fresh PGlite data folder costs an initdb inside WebAssembly: 8-13 s of CPU and a peak of
 * ~800 MB RSS, at every first start of a core or gateway (and so at every start in the test suites and
 * the benchmark, which use new state folders). The result of initdb is the same every time, so
 * the first one is kept as a template (per PGlite version and user, in the OS temp folder, 0700)
 * and later new data folders start as a copy of it: ~0.3 s. A template that is not ours (owner,
 * mode) or not complete is ignored; the template is written under a temporary name and renamed,
 * so a concurrent reader sees all of it or nothing.
 */
export async function prepareDataDir(
  dataDir: string,
  create: (options: PGliteOptions) => Promise<PGliteClass>,
  version: string,
  templateRoot = os.tmpdir(),
): Promise<void> {
  if (fs.existsSync(path.join(dataDir, 'PG_VERSION'))) return;
  if (fs.existsSync(dataDir) && fs.readdirSync(dataDir).length > 0) return; // not ours to touch
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  const template = path.join(templateRoot, `ferry-pglite-template-${version}-${uid}`);
  if (!usable(template, uid)) {
    const tmp = fs.mkdtempSync(`${template}.tmp-`);
    try {
      const db = await create({ dataDir: tmp });
      await db.close();
      fs.chmodSync(tmp, 0o700);
      fs.renameSync(tmp, template);
    } catch {
      // another process made the template meanwhile (rename onto a non-empty folder fails), or
      // the temp folder is not writable: fine either way
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  if (!usable(template, uid)) return; // PGlite will run initdb itself
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  const partial = `${dataDir}.copying-${process.pid}`;
  fs.cpSync(template, partial, { recursive: true });
  fs.renameSync(partial, dataDir);
}

function usable(template: string, uid: number): boolean {
  try {
    const st = fs.lstatSync(template);
    return st.isDirectory() && st.uid === uid && (st.mode & 0o077) === 0 && fs.existsSync(path.join(template, 'PG_VERSION'));
  } catch {
    return false;
  }
}
