import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeSecretFile } from '@ferry/crypto/node';
import { CliError } from '../cli.error';

/** Where the CLI keeps config.json and key.json: $FERRY_CONFIG_DIR, else $XDG_CONFIG_HOME/ferry, else ~/.config/ferry. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FERRY_CONFIG_DIR) return path.resolve(env.FERRY_CONFIG_DIR);
  const xdg = env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(xdg, 'ferry');
}

export const configFile = (env: NodeJS.ProcessEnv = process.env) => path.join(configDir(env), 'config.json');

export interface CliConfig {
  url: string;
  token: string;
}

async function readFileConfig(env: NodeJS.ProcessEnv): Promise<Partial<CliConfig>> {
  try {
    const raw = JSON.parse(await fs.readFile(configFile(env), 'utf8')) as Partial<CliConfig>;
    return { url: typeof raw.url === 'string' ? raw.url : undefined, token: typeof raw.token === 'string' ? raw.token : undefined };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new CliError('CONFIG_INVALID', `cannot read ${configFile(env)}: ${(e as Error).message}`, 'run `ferry login --url URL --token TOKEN` again');
  }
}

/** FERRY_URL / FERRY_TOKEN win over the config file, so one shell can talk to another core. */
export async function loadConfig(env: NodeJS.ProcessEnv = process.env): Promise<CliConfig> {
  const file = await readFileConfig(env);
  const url = env.FERRY_URL || file.url;
  const token = env.FERRY_TOKEN || file.token;
  if (!url || !token) {
    throw new CliError(
      'NOT_CONFIGURED',
      `no ${!url ? 'core URL' : 'token'} configured`,
      'set FERRY_URL and FERRY_TOKEN, or run `ferry login --url http://127.0.0.1:8080 --token TOKEN`',
    );
  }
  return { url, token };
}

/** Writes config.json with mode 0600 (it holds a bearer token). */
export async function saveConfig(config: CliConfig, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const file = configFile(env);
  await writeSecretFile(file, JSON.stringify(config, null, 2) + '\n');
  return file;
}
