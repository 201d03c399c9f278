import * as path from 'node:path';
import type { FileEntryWithStats } from 'ssh2';
import { MechanismError } from '@ferry/plugin-sdk';
import { PART_SUFFIX } from '../server/sftp-session';
import type { RemoteFileState } from './file-uploader';
import type { ScannedDir } from './source-scanner';
import type { SftpClient } from './sftp-client';
import { toUploadError } from './upload-error.util';

type Listing = Map<string, FileEntryWithStats['attrs']>;

/**
 * What the destination already holds, one READDIR per folder instead of two STATs per file (2,000
 * small files resume in a handful of round trips). Folders this run created are known empty.
 */
export class RemoteIndex {
  private readonly lists = new Map<string, Promise<Listing>>();

  constructor(
    private readonly sftp: SftpClient,
    private readonly base: string,
  ) {}

  remotePath(rel: string): string {
    return rel ? path.posix.join(this.base, rel) : this.base;
  }

  /** Creates the folders that are missing, parents first. */
  async ensureDirs(dirs: ScannedDir[]): Promise<void> {
    for (const d of dirs) {
      const { parent, name } = split(d.rel);
      const existing = (await this.listing(parent)).get(name);
      if (existing) {
        if (!existing.isDirectory()) {
          throw new MechanismError('REMOTE_ERROR', `'${d.rel}' exists at the destination and is not a folder`, 'no-retry');
        }
        continue;
      }
      await this.sftp.mkdir(this.remotePath(d.rel)).catch(async (e) => {
        const st = await this.sftp.stat(this.remotePath(d.rel)).catch(() => null);
        if (!st?.isDirectory()) throw toUploadError(e, `creating folder ${d.rel}`);
      });
      this.lists.set(d.rel, Promise.resolve(new Map()));
    }
  }

  async fileState(rel: string): Promise<RemoteFileState> {
    const { parent, name } = split(rel);
    const list = await this.listing(parent);
    const final = list.get(name);
    const part = list.get(name + PART_SUFFIX);
    return {
      final: final?.isFile() ? { size: final.size, mtime: final.mtime } : undefined,
      partSize: part?.isFile() ? part.size : undefined,
    };
  }

  private listing(relDir: string): Promise<Listing> {
    let p = this.lists.get(relDir);
    if (!p) {
      p = this.sftp.list(this.remotePath(relDir)).then(
        (entries) => new Map((entries ?? []).map((e) => [e.filename, e.attrs])),
        (e: unknown) => {
          throw toUploadError(e, `listing ${relDir || 'the destination folder'}`);
        },
      );
      this.lists.set(relDir, p);
    }
    return p;
  }
}

function split(rel: string): { parent: string; name: string } {
  const i = rel.lastIndexOf('/');
  return i < 0 ? { parent: '', name: rel } : { parent: rel.slice(0, i), name: rel.slice(i + 1) };
}
