import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PluginContext, PluginLogger, SecretStore, TransferHandle } from '@ferry/plugin-sdk';
import { StreamTunnelOptions, streamTunnelOptionsSchema } from '../../src/options.schema';

/**
 * Small real contexts for plugin-level tests: secrets are 0600 files in a folder (so a "restarted"
 * plugin instance given the same folder finds them), the clock is the real one, the logger keeps
 * lines in memory so a test can check that no secret was logged.
 */
export class FileSecretStore implements SecretStore {
  constructor(private readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  }
  async put(name: string, value: string) {
    fs.writeFileSync(path.join(this.dir, name), value, { mode: 0o600 });
  }
  async get(name: string) {
    const f = path.join(this.dir, name);
    return fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : undefined;
  }
  async delete(name: string) {
    fs.rmSync(path.join(this.dir, name), { force: true });
  }
  async list(prefix: string) {
    return fs.readdirSync(this.dir).filter((n) => n.startsWith(prefix));
  }
}

export class MemoryLogger implements PluginLogger {
  readonly lines: string[] = [];
  debug(m: string, f?: Record<string, unknown>) {
    this.lines.push(`debug ${m} ${JSON.stringify(f ?? {})}`);
  }
  info(m: string, f?: Record<string, unknown>) {
    this.lines.push(`info ${m} ${JSON.stringify(f ?? {})}`);
  }
  warn(m: string, f?: Record<string, unknown>) {
    this.lines.push(`warn ${m} ${JSON.stringify(f ?? {})}`);
  }
  error(m: string, f?: Record<string, unknown>) {
    this.lines.push(`error ${m} ${JSON.stringify(f ?? {})}`);
  }
}

export interface TestContext extends PluginContext<StreamTunnelOptions> {
  logger: MemoryLogger;
  handles: Map<string, TransferHandle>;
}

export function makeContext(providerId: string, rootDir: string, rawOptions: unknown): TestContext {
  const dataDir = path.join(rootDir, 'plugin-data');
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const handles = new Map<string, TransferHandle>();
  return {
    options: streamTunnelOptionsSchema.parse(rawOptions),
    logger: new MemoryLogger(),
    secrets: new FileSecretStore(path.join(rootDir, 'secrets')),
    clock: { now: () => new Date() },
    gateway: { providerId, name: providerId, dataDir },
    transfers: {
      get: async (id) => handles.get(id),
      active: async () => [...handles.values()],
    },
    handles,
  };
}
