import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/** What the destination allows: copies into `root`, once `active` (after its trigger). */
export interface Grant {
  transferId: string;
  root: string;
  active: boolean;
}

/**
 * Grants as files in the shared `grantsDir`, named by the sha256 of the grant token: the source finds
 * its grant only with the token, and the folder holds no token. This is the "remote service" of the
 * example; a real mechanism would ask a server (an SSH daemon, a Globus endpoint) instead.
 */
export class GrantStore {
  constructor(private readonly dir: string) {}

  static hash(token: string): string {
    return createHash('sha256').update(token, 'utf8').digest('hex');
  }

  async put(tokenHash: string, grant: Grant): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    // write then rename: a reader never sees half a grant
    const tmp = `${this.file(tokenHash)}.${process.pid}.tmp`;
    await fs.writeFile(tmp, JSON.stringify(grant), { mode: 0o600 });
    await fs.rename(tmp, this.file(tokenHash));
  }

  async get(tokenHash: string): Promise<Grant | undefined> {
    try {
      return JSON.parse(await fs.readFile(this.file(tokenHash), 'utf8')) as Grant;
    } catch {
      return undefined;
    }
  }

  /** The grant for a token, only if it is active: what the source checks before every chunk. */
  async active(token: string): Promise<Grant | undefined> {
    const g = await this.get(GrantStore.hash(token));
    return g?.active ? g : undefined;
  }

  async revoke(tokenHash: string): Promise<void> {
    await fs.rm(this.file(tokenHash), { force: true });
  }

  private file(tokenHash: string): string {
    if (!/^[0-9a-f]{64}$/.test(tokenHash)) throw new Error('not a grant token hash');
    return path.join(this.dir, `${tokenHash}.json`);
  }
}
