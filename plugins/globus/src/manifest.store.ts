import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { FileManifest } from '@ferry/contracts';
import { joinPath } from './collection-path.util';
import type { TransferApiClient } from './transfer-api.client';

export interface ManifestSummary {
  manifest: FileManifest;
  bytesTotal: number;
  filesTotal: number;
}

/**
 * The list of files a transfer moves, taken with ls before submitting (Globus task documents carry
 * no byte total) and kept in the plugin's data folder, not in transfer state, because a tree can
 * hold many files. Paths are relative to the destination folder: `cp -r SRC DSTDIR/` semantics.
 */
export class ManifestStore {
  constructor(
    private readonly dir: string,
    private readonly client: TransferApiClient,
    private readonly lsPageSize: number,
  ) {}

  private file(transferId: string): string {
    return path.join(this.dir, 'manifests', `${transferId.replace(/[^A-Za-z0-9_-]/g, '_')}.json`);
  }

  async load(transferId: string): Promise<ManifestSummary | null> {
    try {
      return JSON.parse(await fs.readFile(this.file(transferId), 'utf8')) as ManifestSummary;
    } catch {
      return null;
    }
  }

  async loadOrBuild(
    transferId: string,
    src: {
      collectionId: string;
      path: string;
      type: 'file' | 'dir';
      isDriveRoot: boolean;
      /** where a collection path is on this host, when the collection's storage is mounted here */
      localOf?: (collectionPath: string) => string;
    },
    verify: FileManifest['verify'],
  ): Promise<ManifestSummary> {
    const existing = await this.load(transferId);
    if (existing) return existing;
    const files: Array<FileManifest['files'][number] & { at: string }> = [];
    if (src.type === 'file') {
      const st = await this.client.stat(src.collectionId, src.path);
      files.push({ path: path.posix.basename(src.path), size: st.size, at: src.path });
    } else {
      await this.walk(src.collectionId, src.path, src.isDriveRoot ? '' : path.posix.basename(src.path), files);
    }
    // Globus checks checksums itself (verify_checksum); a sha256 in the manifest is only possible,
    // and only added, when this gateway can read the collection's storage directly.
    if (verify === 'checksum' && src.localOf) {
      for (const f of files) f.sha256 = await sha256Of(src.localOf(f.at));
    }
    const summary: ManifestSummary = {
      manifest: { verify, files: files.map(({ at: _at, ...f }) => f) },
      bytesTotal: files.reduce((n, f) => n + f.size, 0),
      filesTotal: files.length,
    };
    await fs.mkdir(path.dirname(this.file(transferId)), { recursive: true, mode: 0o700 });
    await fs.writeFile(this.file(transferId), JSON.stringify(summary), { mode: 0o600 });
    return summary;
  }

  async remove(transferId: string): Promise<void> {
    await fs.rm(this.file(transferId), { force: true });
  }

  private async walk(collectionId: string, dir: string, rel: string, out: Array<FileManifest['files'][number] & { at: string }>): Promise<void> {
    for (const e of await this.client.lsAll(collectionId, dir.endsWith('/') ? dir : `${dir}/`, this.lsPageSize)) {
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      if (e.type === 'dir') await this.walk(collectionId, joinPath(dir, e.name), childRel, out);
      else if (e.type === 'file') out.push({ path: childRel, size: e.size, at: joinPath(dir, e.name) });
    }
  }
}

export function sha256Of(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file, { highWaterMark: 1024 * 1024 })
      .on('data', (c) => h.update(c))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}
