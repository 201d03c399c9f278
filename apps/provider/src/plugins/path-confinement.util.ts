import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { DomainError, normalizeDrivePath } from '@ferry/contracts';
import type { DriveConfig } from '../config/gateway-config';

export interface ConfinedPath {
  /** normalized relative path ('' = drive root) */
  relative: string;
  /** drive root joined with the relative path ('' for non-local drives) */
  localPath: string;
  /** what is there, following symlinks that stay inside the drive; null when nothing is or the drive is not local */
  kind: 'file' | 'dir' | 'other' | null;
}

/**
 * Defence in depth for every path a plugin is handed: normalize again (the core already did), then
 * resolve the real path of the deepest existing ancestor and refuse (BAD_PATH) anything whose real
 * location is outside the drive's real root, which catches symlinks pointing out of the drive.
 */
export async function confinePath(drive: DriveConfig, input: unknown): Promise<ConfinedPath> {
  const relative = normalizeDrivePath(input);
  if (!drive.local) return { relative, localPath: '', kind: null };
  const localPath = relative === '' ? drive.root : path.join(drive.root, ...relative.split('/'));
  const real = await realpathOfDeepestExisting(localPath);
  if (real !== drive.root && !real.startsWith(drive.root + path.sep)) {
    throw new DomainError('BAD_PATH', `path '${relative}' leaves drive '${drive.id}' through a symbolic link`);
  }
  let kind: ConfinedPath['kind'] = null;
  try {
    const st = await fs.stat(localPath);
    kind = st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
  } catch {
    kind = null;
  }
  return { relative, localPath, kind };
}

async function realpathOfDeepestExisting(p: string, hops = 0): Promise<string> {
  if (hops > 40) throw new DomainError('BAD_PATH', 'too many levels of symbolic links');
  let current = p;
  for (;;) {
    try {
      return await fs.realpath(current);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ELOOP') throw new DomainError('BAD_PATH', 'too many levels of symbolic links');
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw e;
      const parent = path.dirname(current);
      // a dangling symlink is judged by where it points (realpath fails on it, readlink does not)
      const target = await fs.readlink(current).catch(() => null);
      if (target !== null) {
        const parentReal = await realpathOfDeepestExisting(parent, hops + 1);
        return realpathOfDeepestExisting(path.resolve(parentReal, target), hops + 1);
      }
      if (parent === current) return current;
      current = parent;
    }
  }
}
