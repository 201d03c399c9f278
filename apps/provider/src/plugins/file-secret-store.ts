import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { SecretStore } from '@ferry/plugin-sdk';
import { writeSecretFile } from '@ferry/crypto/node';

/**
 * One file per secret, mode 0600, in a 0700 folder of its own per plugin
 * (<stateDir>/secrets/<plugin>/). Names are encoded reversibly into safe file names
 * (every byte outside [A-Za-z0-9_-] becomes %XX), so a name can never climb out of the folder,
 * and list() gives back the names the plugin used.
 */
export class FileSecretStore implements SecretStore {
  constructor(private readonly dir: string) {}

  async put(name: string, value: string): Promise<void> {
    await writeSecretFile(this.file(name), value);
  }

  async get(name: string): Promise<string | undefined> {
    try {
      return await fs.readFile(this.file(name), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  async delete(name: string): Promise<void> {
    await fs.rm(this.file(name), { force: true });
  }

  async list(prefix: string): Promise<string[]> {
    let files: string[];
    try {
      files = await fs.readdir(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    // encoded names never contain '.', so this skips writeSecretFile's temporary files
    return files
      .filter((f) => !f.includes('.'))
      .map((f) => decodeURIComponent(f))
      .filter((n) => n.startsWith(prefix))
      .sort();
  }

  private file(name: string): string {
    if (typeof name !== 'string' || name.length === 0 || name.length > 200) {
      throw new Error('secret names must be 1 to 200 characters');
    }
    return path.join(this.dir, encodeSecretName(name));
  }
}

export function encodeSecretName(name: string): string {
  let out = '';
  for (const byte of Buffer.from(name, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9_-]/.test(c) ? c : '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}
