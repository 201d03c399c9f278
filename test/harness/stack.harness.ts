import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateSigningKeyPair, randomToken } from '@ferry/crypto';
import { writeSecretFile } from '@ferry/crypto/node';
import { createDatabase, freePort } from '../setup/postgres-server';
import type { GatewayConfigFile, SeedFile } from '../../apps/demo/src/world/config-files.types';
import { twoSiteWorld } from '../../apps/demo/src/world/two-site-world';
import { ManagedProcess, REPO_ROOT } from './managed-process';
import { ResearcherClient } from './researcher.client';

export type DatabaseKind = 'pglite' | 'postgres';

export interface StackOptions {
  /** tag for log files and temp folders, e.g. 'transfer-pglite' */
  name: string;
  database: DatabaseKind;
  /** extra env for the core, e.g. { FERRY_TRIGGER_DEADLINE_SECONDS: '3' } */
  coreEnv?: NodeJS.ProcessEnv;
  /** PostgreSQL server to create the databases on (default FERRY_TEST_PG_URL), e.g. one the test restarts */
  postgresServerUrl?: string;
  /** change the generated seed / gateway configs before anything starts */
  customize?: (world: { seed: SeedFile; gateways: { a: GatewayConfigFile; b: GatewayConfigFile } }) => void;
}

export interface Stack {
  root: string;
  coreUrl: string;
  core: ManagedProcess;
  gatewayA: ManagedProcess;
  gatewayB: ManagedProcess;
  configs: { a: GatewayConfigFile; b: GatewayConfigFile };
  seed: SeedFile;
  /** host folders of the drives */
  dirs: { aData: string; bInbox: string; aState: string; bState: string; coreData: string };
  coreKey: { publicKey: string; secretKey: string };
  tokens: Record<string, string>;
  /** the core's database URL when on PostgreSQL */
  coreDatabaseUrl: string | null;
  /** stream tunnels: A's access point port range and B's data port (the world's defaults; `customize` may change the configs) */
  tunnel: { portRange: string; dataPort: number };
  researcher(user: string): ResearcherClient;
  stop(): Promise<void>;
}

const CORE_MAIN = path.join(REPO_ROOT, 'apps/core/dist/main.js');
const GATEWAY_MAIN = path.join(REPO_ROOT, 'apps/provider/dist/main.js');

async function httpUp(url: string, okStatuses: (s: number) => boolean): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await res.arrayBuffer();
  return okStatuses(res.status);
}

/**
 * Starts a real stack as separate processes from compiled dist/: one core and gateways A and B on
 * free loopback ports, with fresh temp state, the two-site world's seed (alice, bob, carol; carol has
 * drive rights but no identity mapping), on PGlite or on a fresh database of the test PostgreSQL
 * server (FERRY_TEST_PG_URL) for the core and both gateways.
 */
export async function startStack(opts: StackOptions): Promise<Stack> {
  for (const f of [CORE_MAIN, GATEWAY_MAIN]) {
    if (!fs.existsSync(f)) throw new Error(`${path.relative(REPO_ROOT, f)} is missing: build first (npx tsc -b)`);
  }
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `ferry-e2e-${opts.name}-`));
  const [corePort, gatewayA, gatewayB, sftpA, sftpB, tunnelData] = await distinctFreePorts(6);
  const tunnel = { portRange: await freePortRange(TUNNEL_RANGE_SIZE, [corePort, gatewayA, gatewayB, sftpA, sftpB, tunnelData]), dataPort: tunnelData };
  const coreUrl = `http://127.0.0.1:${corePort}`;
  const coreKeyFile = path.join(root, 'core', 'core-sign.key.json');
  const coreKey = generateSigningKeyPair();
  await writeSecretFile(coreKeyFile, JSON.stringify(coreKey, null, 2));

  let coreDatabaseUrl: string | null = null;
  let gatewayDatabaseUrls: { a: string | null; b: string | null } = { a: null, b: null };
  if (opts.database === 'postgres') {
    const server = opts.postgresServerUrl ?? process.env.FERRY_TEST_PG_URL;
    if (!server) throw new Error('FERRY_TEST_PG_URL is not set (jest globalSetup starts PostgreSQL)');
    const prefix = `e2e_${opts.name.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${Date.now().toString(36)}`;
    coreDatabaseUrl = await createDatabase(server, `${prefix}_core`);
    gatewayDatabaseUrls = { a: await createDatabase(server, `${prefix}_a`), b: await createDatabase(server, `${prefix}_b`) };
  }

  const tokens = { alice: randomToken(), bob: randomToken(), carol: randomToken() };
  const world = twoSiteWorld({
    rootDir: root,
    coreUrl,
    coreKeyFile,
    ports: { gatewayA, gatewayB, sftpA, sftpB },
    tokens,
    gatewayDatabaseUrls,
    tunnel,
  });
  // carol may read a-data and write b-inbox, but has no account mapped at either provider
  for (const d of world.seed.drives) d.acl.push({ user: 'carol', permissions: ['READ', 'WRITE'] });
  opts.customize?.(world);

  for (const d of Object.values(world.driveDirs)) fs.mkdirSync(d, { recursive: true });
  const seedFile = path.join(root, 'core', 'seed.json');
  await writeSecretFile(seedFile, JSON.stringify(world.seed, null, 2));
  const configFile = (site: 'a' | 'b') => path.join(world.siteDirs[site], 'gateway.json');
  for (const site of ['a', 'b'] as const) {
    fs.mkdirSync(world.siteDirs[site], { recursive: true });
    fs.writeFileSync(configFile(site), JSON.stringify(world.gateways[site], null, 2));
  }

  const coreData = path.join(root, 'core', 'data');
  const core = new ManagedProcess({
    name: 'core',
    logTag: opts.name,
    args: [CORE_MAIN],
    env: {
      FERRY_HOST: '127.0.0.1',
      FERRY_PORT: String(corePort),
      FERRY_DATA_DIR: coreData,
      FERRY_CORE_KEY_FILE: coreKeyFile,
      FERRY_SEED_FILE: seedFile,
      FERRY_SWEEP_INTERVAL_MS: '500',
      FERRY_LOG_LEVEL: 'debug',
      ...(coreDatabaseUrl ? { DATABASE_URL: coreDatabaseUrl } : { DATABASE_URL: '' }),
      ...opts.coreEnv,
    },
    // any HTTP answer from /api means Nest is listening (it listens after migrations and the seed)
    ready: () => httpUp(`${coreUrl}/api/drives`, (s) => s < 500),
  });
  const gateway = (site: 'a' | 'b', port: number) =>
    new ManagedProcess({
      name: world.gateways[site].id,
      logTag: opts.name,
      args: [GATEWAY_MAIN, '--config', configFile(site)],
      env: {},
      ready: () => httpUp(`http://127.0.0.1:${port}/.well-known/ferry-provider`, (s) => s === 200),
    });
  const gA = gateway('a', gatewayA);
  const gB = gateway('b', gatewayB);
  const stack: Stack = {
    root,
    coreUrl,
    core,
    gatewayA: gA,
    gatewayB: gB,
    configs: world.gateways,
    seed: world.seed,
    dirs: {
      aData: world.driveDirs['a-data'],
      bInbox: world.driveDirs['b-inbox'],
      aState: world.gateways.a.stateDir,
      bState: world.gateways.b.stateDir,
      coreData,
    },
    coreKey,
    tokens,
    coreDatabaseUrl,
    tunnel,
    researcher: (user) => new ResearcherClient(coreUrl, tokens[user as keyof typeof tokens]),
    async stop() {
      await Promise.all([gA.stop(), gB.stop(), core.stop()]);
      if (!process.env.FERRY_E2E_KEEP) fs.rmSync(root, { recursive: true, force: true });
    },
  };
  try {
    // gateways first: the core may fetch their keys from /.well-known as soon as it serves
    await Promise.all([gA.start(), gB.start()]);
    await core.start();
  } catch (e) {
    await stack.stop().catch(() => undefined);
    throw e;
  }
  return stack;
}

/** Ports in A's tunnel range: a few tunnels at once. */
const TUNNEL_RANGE_SIZE = 4;

/** "low-high": `n` consecutive ports that are free on 127.0.0.1 right now (and not in `avoid`). */
export async function freePortRange(n: number, avoid: number[] = []): Promise<string> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const low = 20_000 + Math.floor(Math.random() * 40_000);
    const ports = Array.from({ length: n }, (_, i) => low + i);
    if (ports.some((p) => avoid.includes(p))) continue;
    if ((await Promise.all(ports.map(portIsFree))).every(Boolean)) return n === 1 ? `${low}` : `${low}-${low + n - 1}`;
  }
  throw new Error(`no ${n} consecutive free ports found`);
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

async function distinctFreePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}
