import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { PART_SUFFIX } from '../server/sftp-session';

/**
 * The '*.ferry-part' files an OpenSSH session of one transfer may have left in the destination
 * folder. sshd's sftp-server keeps no record we could read, so a part file counts as this
 * transfer's when it belongs to the mapped account and changed (ctime) after the key was
 * installed. Symlinks are never followed, and only regular files are removed. Call it after the
 * transfer's sessions have ended.
 *
 * Limit: another transfer of the same account into the same folder, running at the same time,
 * would have its part files removed too (that file then starts again from byte 0).
 */
export async function removeOpensshPartials(root: string, since: Date, uid: number): Promise<string[]> {
  const removed: string[] = [];
  const after = since.getTime() - 2000; // file system timestamps are coarser than the clock
  const visit = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      return; // gone or not readable: nothing of ours to find there
    }
    for (const e of entries) {
      const abs = path.join(dir, e.name);
      if (e.isDirectory()) await visit(abs);
      else if (e.isFile() && e.name.endsWith(PART_SUFFIX)) {
        const st = await fs.lstat(abs).catch(() => null);
        if (!st?.isFile() || st.uid !== uid || st.ctimeMs < after) continue;
        await fs.rm(abs, { force: true });
        removed.push(path.relative(root, abs));
      }
    }
  };
  await visit(root);
  return removed;
}
