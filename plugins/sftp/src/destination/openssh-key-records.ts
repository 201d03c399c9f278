import { promises as fs } from 'node:fs';
import * as path from 'node:path';

export interface KeyRecord {
  transferId: string;
  account: string;
}

/**
 * Which transfers this plugin has installed an sshd key for (one small file each in its own data
 * folder, written before the key and removed after it). The authorized-keys folder may be shared
 * with other mechanisms (rsync), so the sweep uses these records, not the folder, to find keys of
 * sftp transfers that ended without a finalize reaching us.
 */
export class OpensshKeyRecords {
  constructor(private readonly dir: string) {}

  async note(r: KeyRecord): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    const file = this.file(r.transferId);
    const tmp = `${file}.tmp`;
    await fs.writeFile(tmp, JSON.stringify(r), { mode: 0o600 });
    await fs.rename(tmp, file);
  }

  async drop(transferId: string): Promise<void> {
    await fs.rm(this.file(transferId), { force: true });
  }

  async list(): Promise<KeyRecord[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const out: KeyRecord[] = [];
    for (const n of names.filter((n) => n.endsWith('.key.json'))) {
      try {
        const r = JSON.parse(await fs.readFile(path.join(this.dir, n), 'utf8')) as KeyRecord;
        if (typeof r.transferId === 'string' && typeof r.account === 'string') out.push(r);
      } catch {
        // removed meanwhile, or torn by a crash before its rename (then no key was written either)
      }
    }
    return out;
  }

  private file(transferId: string): string {
    // ids are [A-Za-z0-9._-] (the key line's rule); '.' and '..' alone must not name a folder
    return path.join(this.dir, `${encodeURIComponent(transferId).replace(/\./g, '%2E')}.key.json`);
  }
}
