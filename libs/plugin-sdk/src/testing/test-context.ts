import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { PluginContext } from '../plugin-context';
import { CaptureLogger } from './capture.logger';
import { FileSecretStore } from './file-secret.store';
import { MemoryTransferDirectory } from './memory-transfer.directory';
import { TestClock } from './test.clock';

export interface TestContextParts<O> {
  ctx: PluginContext<O>;
  secrets: FileSecretStore;
  logger: CaptureLogger;
  transfers: MemoryTransferDirectory;
  clock: TestClock;
  dataDir: string;
}

/**
 * A real PluginContext for one gateway in a test: validated options, a 0600-file secret store and a
 * 0700 data folder under `stateDir`, a console-free capturing logger, an in-memory transfer
 * directory and a clock that can be moved forward. Pass the same stateDir (and transfers) again to
 * build the context of a restarted gateway.
 */
export async function createTestContext<O>(args: {
  options: O;
  stateDir: string;
  providerId?: string;
  transfers?: MemoryTransferDirectory;
  clock?: TestClock;
}): Promise<TestContextParts<O>> {
  const dataDir = path.join(args.stateDir, 'plugin-data');
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  const secrets = new FileSecretStore(path.join(args.stateDir, 'secrets'));
  const logger = new CaptureLogger();
  const transfers = args.transfers ?? new MemoryTransferDirectory();
  const clock = args.clock ?? new TestClock();
  const providerId = args.providerId ?? 'provider-test';
  const ctx: PluginContext<O> = {
    options: args.options,
    logger,
    secrets,
    clock,
    gateway: { providerId, name: providerId, dataDir },
    transfers,
  };
  return { ctx, secrets, logger, transfers, clock, dataDir };
}
