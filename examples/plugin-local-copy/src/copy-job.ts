import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { MechanismError, type FileManifest, type TransferHandle } from '@ferry/plugin-sdk';

/** Suffix of a file being written; only complete files ever carry their real name. */
export const PART_SUFFIX = '.local-copy-part';

interface Item {
  abs: string;
  rel: string;
  size: number;
  dir: boolean;
}

/**
 * Copies the source item into the destination folder the grant names, `cp -r` style: the item keeps
 * its name (a drive root's contents are copied). Reports progress per chunk; checks the grant before
 * every chunk, so a revoked grant stops the copy. Resolves with the manifest.
 */
export async function copyInto(
  t: TransferHandle,
  grantRoot: () => Promise<string | undefined>,
  signal: AbortSignal,
  chunkSize: number,
  onFile: () => void,
): Promise<FileManifest> {
  const root = async () => {
    const r = await grantRoot();
    if (!r) throw new MechanismError('AUTH_FAILED', 'the destination refused the grant token', 'fatal');
    return r;
  };
  await root();
  const items = await listItems(t.localPath, t.path === '' ? '' : path.basename(t.localPath));
  const files = items.filter((i) => !i.dir);
  let bytesDone = 0;
  let filesDone = 0;
  t.report({ bytesDone, bytesTotal: files.reduce((n, f) => n + f.size, 0), filesDone, filesTotal: files.length });
  for (const item of items) {
    if (signal.aborted) throw new MechanismError('CANCELLED', 'stopped');
    const target = path.join(await root(), item.rel);
    if (item.dir) {
      await fs.mkdir(target, { recursive: true });
      continue;
    }
    await fs.mkdir(path.dirname(target), { recursive: true });
    const src = await fs.open(item.abs, 'r');
    const part = await fs.open(target + PART_SUFFIX, 'w');
    try {
      const buf = Buffer.alloc(Math.min(chunkSize, Math.max(item.size, 1)));
      for (let pos = 0; pos < item.size; ) {
        if (signal.aborted) throw new MechanismError('CANCELLED', 'stopped');
        await root();
        const { bytesRead } = await src.read(buf, 0, buf.length, pos);
        if (bytesRead === 0) throw new MechanismError('REMOTE_ERROR', `${item.rel} shrank while it was copied`);
        await part.write(buf, 0, bytesRead, pos);
        pos += bytesRead;
        bytesDone += bytesRead;
        t.report({ bytesDone });
      }
    } catch (e) {
      throw asMechanismError(e);
    } finally {
      await src.close();
      await part.close();
    }
    await fs.rename(target + PART_SUFFIX, target);
    t.report({ filesDone: ++filesDone });
    onFile();
  }
  return { verify: 'size', files: files.map((f) => ({ path: f.rel, size: f.size })) };
}

/** Removes the part files under `dir` (what a cancelled copy leaves behind). */
export async function removeParts(dir: string): Promise<void> {
  for (const e of await fs.readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) await removeParts(p);
    else if (e.name.endsWith(PART_SUFFIX)) await fs.rm(p, { force: true });
  }
}

/** Folders first, then their contents, by name: the order the copy creates them in. */
async function listItems(abs: string, rel: string): Promise<Item[]> {
  const st = await fs.lstat(abs);
  if (!st.isDirectory()) return [{ abs, rel, size: st.size, dir: false }];
  const out: Item[] = rel ? [{ abs, rel, size: 0, dir: true }] : [];
  for (const name of (await fs.readdir(abs)).sort()) out.push(...(await listItems(path.join(abs, name), rel ? `${rel}/${name}` : name)));
  return out;
}

/** A full disk is worth its own code: the gateway and the researcher see DISK_FULL, not a generic error. */
function asMechanismError(e: unknown): unknown {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return new MechanismError('DISK_FULL', `the destination disk is full (${code})`, 'fatal');
  return e;
}
