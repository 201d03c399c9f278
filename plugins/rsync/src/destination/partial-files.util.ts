import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/**
 * Partial files an interrupted rsync left in the destination. With --partial the receiver keeps
 * an interrupted file under its final name and sets its mtime to 0 (1970) — rsync's own marker
 * for "unfinished" — and a receiver killed outright leaves its temporary `.name.XXXXXX`. Only
 * files changed since the key was installed (ctime) count, so nothing that was there before the
 * transfer is touched. Call after the transfer's server processes have ended.
 */
const RSYNC_TEMP = /^\..+\.[A-Za-z0-9]{6}$/;

export async function removeRsyncPartials(destDir: string, item: string, since: Date): Promise<string[]> {
  const removed: string[] = [];
  const after = since.getTime() - 2000; // file system timestamps are coarser than the clock
  const consider = async (abs: string, name: string) => {
    let st;
    try {
      st = await fs.lstat(abs);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      for (const child of await fs.readdir(abs).catch(() => [] as string[])) await consider(path.join(abs, child), child);
      return;
    }
    if (!st.isFile() || st.ctimeMs < after) return;
    if (st.mtimeMs < 1000 || RSYNC_TEMP.test(name)) {
      await fs.rm(abs, { force: true });
      removed.push(path.relative(destDir, abs));
    }
  };
  if (item) {
    await consider(path.join(destDir, item), item);
    // a single file's temporary sits next to it: .<item>.XXXXXX
    for (const name of await fs.readdir(destDir).catch(() => [] as string[])) {
      if (name.startsWith(`.${item}.`) && RSYNC_TEMP.test(name)) await consider(path.join(destDir, name), name);
    }
  } else {
    await consider(destDir, path.basename(destDir));
  }
  return removed;
}
