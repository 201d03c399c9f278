import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateSigningKeyPair } from '@ferry/crypto';
import { loadOrCreateKeyFile, writeSecretFile } from '@ferry/crypto/node';
import { banner } from './banner';
import { ChildRunner, waitForHttp } from './child.runner';
import type { DemoInfo } from './demo-info';
import { demoSettings } from './demo-settings';
import { loadOrCreateDemoState, portFree } from './demo-state';
import { writeSampleData } from './sample-data';
import { TUNNEL_ACCESS_POINTS, twoSiteWorld } from './world/two-site-world';

/* The CLI-like launcher behind `npm start`; it talks to a person, so it prints (no Nest here). */
const say = (s: string) => process.stdout.write(`[demo] ${s}\n`);

async function main(): Promise<void> {
  const s = demoSettings();
  fs.mkdirSync(s.demoDir, { recursive: true, mode: 0o700 });
  for (const [name, port] of Object.entries(s.ports)) {
    if (!(await portFree(port))) {
      throw new Error(`port ${port} (${name}) is in use: stop what uses it, or pick other ports with FERRY_DEMO_PORT_BASE=9080 npm start`);
    }
  }
  const state = await loadOrCreateDemoState(s.demoDir, Object.values(s.ports));
  const coreDir = path.join(s.demoDir, 'core');
  const coreKeyFile = path.join(coreDir, 'core-sign.key.json');
  await loadOrCreateKeyFile(coreKeyFile, generateSigningKeyPair);
  const coreUrl = `http://127.0.0.1:${s.ports.core}`;
  const world = twoSiteWorld({
    rootDir: s.demoDir,
    coreUrl,
    coreKeyFile,
    ports: { gatewayA: s.ports.gatewayA, gatewayB: s.ports.gatewayB, sftpA: state.sftpPorts.a, sftpB: state.sftpPorts.b },
    tokens: state.tokens,
    tunnel: { portRange: s.tunnelPortRange, dataPort: state.tunnelDataPort },
  });
  if (writeSampleData(world.driveDirs['a-data'])) say(`wrote sample data to ${world.driveDirs['a-data']}/samples`);
  fs.mkdirSync(world.driveDirs['b-inbox'], { recursive: true });
  const seedFile = path.join(coreDir, 'seed.json');
  await writeSecretFile(seedFile, JSON.stringify(world.seed, null, 2) + '\n');
  const configFiles = { a: path.join(world.siteDirs.a, 'gateway.json'), b: path.join(world.siteDirs.b, 'gateway.json') };
  for (const site of ['a', 'b'] as const) fs.writeFileSync(configFiles[site], JSON.stringify(world.gateways[site], null, 2) + '\n');

  const main = (app: string) => path.join(s.repoRoot, 'apps', app, 'dist', 'main.js');
  const gatewayA = new ChildRunner('provider-a', [main('provider'), '--config', configFiles.a], {}, s.repoRoot);
  const gatewayB = new ChildRunner('provider-b', [main('provider'), '--config', configFiles.b], {}, s.repoRoot);
  const core = new ChildRunner(
    'core',
    [main('core')],
    {
      FERRY_HOST: '127.0.0.1',
      FERRY_PORT: String(s.ports.core),
      FERRY_DATA_DIR: path.join(coreDir, 'data'),
      FERRY_CORE_KEY_FILE: coreKeyFile,
      FERRY_SEED_FILE: seedFile,
      FERRY_WEB_DIR: path.join(s.repoRoot, 'apps', 'web', 'dist'),
    },
    s.repoRoot,
  );
  const all = [core, gatewayA, gatewayB];
  let shuttingDown = false;
  const shutdown = async (code: number) => {
    if (shuttingDown) return;
    shuttingDown = true;
    say('stopping core and gateways…');
    await Promise.all(all.map((c) => c.stop()));
    say('stopped.');
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  for (const c of all) {
    c.onUnexpectedExit = (name, code, signal) => {
      // Ctrl-C in a terminal reaches the whole process group: a child may see it before we do
      if (signal === 'SIGINT') return void shutdown(0);
      say(`${name} exited unexpectedly (${signal ?? `code ${code}`}); stopping the demo`);
      void shutdown(1);
    };
  }

  say(`starting gateways on ${s.ports.gatewayA} and ${s.ports.gatewayB}, core on ${s.ports.core}`);
  gatewayA.start();
  gatewayB.start();
  const wellKnown = (port: number) => `http://127.0.0.1:${port}/.well-known/ferry-provider`;
  await Promise.all([
    waitForHttp(wellKnown(s.ports.gatewayA), (st) => st === 200, 60_000, () => !gatewayA.exited),
    waitForHttp(wellKnown(s.ports.gatewayB), (st) => st === 200, 60_000, () => !gatewayB.exited),
  ]);
  core.start();
  await waitForHttp(`${coreUrl}/api/drives`, (st) => st < 500, 90_000, () => !core.exited);

  const info: DemoInfo = {
    coreUrl,
    webUrl: `${coreUrl}/`,
    users: { alice: { token: state.tokens.alice }, bob: { token: state.tokens.bob } },
    drives: {
      'a-data': { provider: 'provider-a', gatewayUrl: `http://127.0.0.1:${s.ports.gatewayA}`, path: world.driveDirs['a-data'] },
      'b-inbox': { provider: 'provider-b', gatewayUrl: `http://127.0.0.1:${s.ports.gatewayB}`, path: world.driveDirs['b-inbox'] },
    },
    gateways: {
      'provider-a': { url: `http://127.0.0.1:${s.ports.gatewayA}`, config: configFiles.a },
      'provider-b': { url: `http://127.0.0.1:${s.ports.gatewayB}`, config: configFiles.b },
    },
    tunnels: {
      initiator: `provider-a:${TUNNEL_ACCESS_POINTS.initiator}`,
      listener: `provider-b:${TUNNEL_ACCESS_POINTS.listener}`,
      portRange: s.tunnelPortRange,
      targets: ['127.0.0.1:*'],
    },
    startedAt: new Date().toISOString(),
  };
  await writeSecretFile(s.infoFile, JSON.stringify(info, null, 2) + '\n');
  process.stdout.write(banner(info, path.relative(process.cwd(), s.infoFile) || s.infoFile));
}

main().catch((e) => {
  process.stderr.write(`[demo] cannot start: ${(e as Error).message}\n`);
  process.exit(1);
});
