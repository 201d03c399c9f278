import { CoreApiClient } from './api/core-api.client';
import { loadConfig } from './config/cli-config';
import { loadKey } from './config/key-store';
import type { ResearcherKeyPair } from './negotiation';

/** What every command needs, injectable so tests can run commands in-process. */
export interface CliContext {
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  client(): Promise<CoreApiClient>;
  key(): Promise<ResearcherKeyPair>;
  /** how often watchers poll the core */
  pollMs: number;
  /** set by the command when it wants a particular exit code (e.g. a transfer that FAILED) */
  exitCode: number;
}

export function defaultContext(): CliContext {
  const env = process.env;
  return {
    env,
    stdout: process.stdout,
    stderr: process.stderr,
    client: async () => new CoreApiClient(await loadConfig(env)),
    key: () => loadKey(env),
    pollMs: Number(env.FERRY_POLL_MS) > 0 ? Number(env.FERRY_POLL_MS) : 500,
    exitCode: 0,
  };
}

export function printJson(ctx: CliContext, value: unknown): void {
  ctx.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export function println(ctx: CliContext, text = ''): void {
  ctx.stdout.write(text + '\n');
}
