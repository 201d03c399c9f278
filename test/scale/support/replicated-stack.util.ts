import * as fs from 'node:fs';
import * as path from 'node:path';
import { ManagedProcess, REPO_ROOT, Stack, StackOptions, startStack } from '../../harness';
import { freePort } from '../../setup/postgres-server';
import { TcpBalancer } from './tcp-balancer.util';

/**
 * The e2e stack (one core, gateways A and B, all on one PostgreSQL server) plus a second core
 * replica: another process on the same database, with the same signing key and seed, on its own
 * port. The gateways' core URL is a TCP balancer in front of both replicas, so their progress
 * reports reach whichever replica is up; researchers use either replica directly. Both sweep.
 */
export interface ReplicatedStack extends Stack {
  replica: ManagedProcess;
  replicaUrl: string;
  /** [first replica, second replica] */
  coreUrls: [string, string];
  cores: [ManagedProcess, ManagedProcess];
  balancer: TcpBalancer;
}

const CORE_MAIN = path.join(REPO_ROOT, 'apps/core/dist/main.js');

export async function startReplicatedStack(opts: Omit<StackOptions, 'database'>): Promise<ReplicatedStack> {
  const balancer = new TcpBalancer(await freePort());
  await balancer.start();
  let stack: Stack;
  try {
    stack = await startStack({
      ...opts,
      database: 'postgres',
      customize: (world) => {
        for (const g of Object.values(world.gateways)) g.core.url = balancer.url;
        opts.customize?.(world);
      },
    });
  } catch (e) {
    await balancer.stop();
    throw e;
  }
  balancer.backends = [Number(new URL(stack.coreUrl).port)];
  try {
    const port = await freePort();
    const replicaUrl = `http://127.0.0.1:${port}`;
    const replica = new ManagedProcess({
      name: 'core-2',
      logTag: opts.name,
      args: [CORE_MAIN],
      env: {
        FERRY_HOST: '127.0.0.1',
        FERRY_PORT: String(port),
        FERRY_DATA_DIR: path.join(stack.root, 'core-2', 'data'),
        FERRY_CORE_KEY_FILE: path.join(stack.root, 'core', 'core-sign.key.json'),
        FERRY_SEED_FILE: path.join(stack.root, 'core', 'seed.json'),
        FERRY_SWEEP_INTERVAL_MS: '500',
        FERRY_LOG_LEVEL: 'debug',
        DATABASE_URL: stack.coreDatabaseUrl!,
        ...opts.coreEnv,
      },
      ready: async () => {
        const res = await fetch(`${replicaUrl}/health/live`, { signal: AbortSignal.timeout(2000) });
        await res.arrayBuffer();
        return res.status === 200;
      },
    });
    fs.mkdirSync(path.join(stack.root, 'core-2'), { recursive: true });
    await replica.start();
    balancer.backends = [Number(new URL(stack.coreUrl).port), port];
    const stop = stack.stop.bind(stack);
    return Object.assign(stack, {
      replica,
      replicaUrl,
      coreUrls: [stack.coreUrl, replicaUrl] as [string, string],
      cores: [stack.core, replica] as [ManagedProcess, ManagedProcess],
      balancer,
      async stop() {
        await replica.stop();
        await stop();
        await balancer.stop();
      },
    });
  } catch (e) {
    await stack.stop().catch(() => undefined);
    await balancer.stop();
    throw e;
  }
}
