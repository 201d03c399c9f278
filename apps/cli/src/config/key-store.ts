import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { boxKeyPairFromSecret, generateBoxKeyPair } from '@ferry/crypto';
import { writeSecretFile } from '@ferry/crypto/node';
import { CliError } from '../cli.error';
import type { ResearcherKeyPair } from '../negotiation';
import { configDir } from './cli-config';

/** $FERRY_KEY_FILE, else key.json in the config folder. */
export const keyFile = (env: NodeJS.ProcessEnv = process.env) =>
  env.FERRY_KEY_FILE ? path.resolve(env.FERRY_KEY_FILE) : path.join(configDir(env), 'key.json');

interface KeyFileContent extends ResearcherKeyPair {
  type: 'x25519';
  createdAt: string;
}

/** Creates the researcher's X25519 key (0600). Refuses to replace an existing one unless `force`. */
export async function createKey(force: boolean, env: NodeJS.ProcessEnv = process.env): Promise<{ file: string; key: ResearcherKeyPair }> {
  const file = keyFile(env);
  const exists = await fs.stat(file).then(
    () => true,
    () => false,
  );
  if (exists && !force) {
    throw new CliError(
      'KEY_EXISTS',
      `a key already exists at ${file}`,
      'transfers still waiting for a trigger need the old key; use --force to replace it anyway',
    );
  }
  const kp = generateBoxKeyPair();
  const content: KeyFileContent = { type: 'x25519', ...kp, createdAt: new Date().toISOString() };
  await writeSecretFile(file, JSON.stringify(content, null, 2) + '\n');
  return { file, key: kp };
}

/** Loads the key; the public half is derived from the secret so a hand-edited file cannot disagree. */
export async function loadKey(env: NodeJS.ProcessEnv = process.env): Promise<ResearcherKeyPair> {
  const file = keyFile(env);
  let raw: Partial<KeyFileContent>;
  try {
    raw = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<KeyFileContent>;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new CliError('NO_KEY', `no researcher key at ${file}`, 'run `ferry keygen` first');
    }
    throw new CliError('KEY_INVALID', `cannot read ${file}: ${(e as Error).message}`, 'run `ferry keygen --force` to make a new key');
  }
  try {
    return boxKeyPairFromSecret(String(raw.secretKey));
  } catch {
    throw new CliError('KEY_INVALID', `${file} does not hold a valid X25519 secret key`, 'run `ferry keygen --force` to make a new key');
  }
}
