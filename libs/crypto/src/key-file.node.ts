import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/**
 * Writes a secret file readable by its owner only (0600), creating its folder 0700.
 * Written to a temporary name and renamed, so a crash never leaves half a key.
 */
export async function writeSecretFile(file: string, content: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, content, { mode: 0o600 });
  await fs.chmod(tmp, 0o600);
  await fs.rename(tmp, file);
}

/** Reads a JSON key file, or generates, writes (0600) and returns a new one when it does not exist. */
export async function loadOrCreateKeyFile<T>(file: string, generate: () => T): Promise<T> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    const value = generate();
    await writeSecretFile(file, JSON.stringify(value, null, 2) + '\n');
    return value;
  }
}
