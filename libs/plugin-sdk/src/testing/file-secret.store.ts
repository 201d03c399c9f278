import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { SecretStore } from '../plugin-context';

/**
 * A real SecretStore as the gateway keeps one: a 0700 folder with one 0600 file per secret.
 * It also remembers every value ever stored (in memory only) so the kit can check that no secret
 * leaks into public parameters, state, progress or logs.
 */
export class FileSecretStore implements SecretStore {
  private readonly everStored = new Set<string>();

  constructor(readonly dir: string) {}

  async put(name: string, value: string): Promise<void> {
    checkName(name);
    if (typeof value !== 'string') throw new Error(`secret ${name} must be a string`);
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    const file = this.file(name);
    const tmp = `${file}.${process.pid}.tmp`;
    await fs.writeFile(tmp, value, { mode: 0o600 });
    await fs.chmod(tmp, 0o600);
    await fs.rename(tmp, file);
    this.everStored.add(value);
  }

  async get(name: string): Promise<string | undefined> {
    checkName(name);
    try {
      return await fs.readFile(this.file(name), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  async delete(name: string): Promise<void> {
    checkName(name);
    await fs.rm(this.file(name), { force: true });
  }

  async list(prefix: string): Promise<string[]> {
    let files: string[] = [];
    try {
      files = await fs.readdir(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    return files
      .filter((f) => f.endsWith('.secret'))
      .map((f) => decodeURIComponent(f.slice(0, -'.secret'.length)))
      .filter((n) => n.startsWith(prefix))
      .sort();
  }

  /** name -> value of every secret present now */
  async snapshot(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const name of await this.list('')) out[name] = (await this.get(name)) ?? '';
    return out;
  }

  /** every value ever stored, including deleted ones */
  storedValues(): string[] {
    return [...this.everStored];
  }

  private file(name: string): string {
    return path.join(this.dir, encodeURIComponent(name) + '.secret');
  }
}

function checkName(name: string): void {
  if (typeof name !== 'string' || name.length === 0 || name.length > 200) {
    throw new Error('secret names are 1-200 characters');
  }
}
