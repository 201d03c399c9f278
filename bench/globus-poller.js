'use strict';
/**
 * Scale check for the Globus plugin's single poller (not a test; prints figures):
 * one source plugin instance follows N concurrent Globus transfers (default 500) against the
 * Globus stand-in, which runs in a child process so this process's RSS is the plugin's.
 *
 *   npx tsc -b plugins/globus && node bench/globus-poller.js [N] [windowSeconds] [--in-gateway]
 *
 * --in-gateway (what the benchmark runs): a real gateway is booted in this process first, as
 * main.ts starts one (Nest, embedded PGlite with its V8 flags, the sftp
 * plugin, listening on loopback), so the RSS figures are those of a gateway following the N
 * transfers and not of the plugin alone. Both plugin instances (source and destination) live in
 * this process, as before; in production they are in two gateways, so the figure is on the high side.
 *
 * Phase 1 holds every task ACTIVE (Globus' 3 running per identity, the rest Queued, few bytes per
 * tick) and measures, over the window, the poll requests per second the one poller makes and the
 * RSS. Phase 2 lets them all finish and reports that every transfer completed.
 */
const { fork, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const IN_GATEWAY = process.argv.includes('--in-gateway');
const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const N = Number(positional[0] || 500);
const WINDOW_S = Number(positional[1] || 20);
const POLL_MS = 2000;

const pluginDist = path.join(ROOT, 'plugins/globus/dist/index.js');
if (!fs.existsSync(pluginDist)) {
  console.error('plugins/globus/dist is missing: run npx tsc -b plugins/globus first');
  process.exit(1);
}

function compileStandin(outDir) {
  const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '--outDir', outDir, '--module', 'commonjs', '--target', 'es2022', '--esModuleInterop',
    '--skipLibCheck', '--types', 'node', path.join(ROOT, 'test/globus-standin/globus-standin.ts')], { stdio: 'inherit' });
  return path.join(outDir, 'globus-standin.js');
}

let seq = 0;
function ask(child, msg) {
  const id = ++seq;
  return new Promise((resolve, reject) => {
    const on = (m) => {
      if (m.id !== id) return;
      child.off('message', on);
      if (m.error) reject(new Error(m.error));
      else resolve(m);
    };
    child.on('message', on);
    child.send({ ...msg, id });
  });
}

class Handle {
  constructor(id, role, drive, relPath) {
    Object.assign(this, { id, role, drive, path: relPath, localPath: path.join(drive.root, relPath), options: {} });
    this.identity = { name: 'alice', account: 'alice', attributes: {} };
    this.peer = { providerId: 'peer', name: 'peer', signPublicKey: '', boxPublicKey: '', mechanisms: ['globus'] };
    this.triggerDeadline = new Date(Date.now() + 3600e3);
    this.state = {};
    this.ended = null;
    this.reports = 0;
    this.signal = new AbortController().signal;
  }
  async saveState(p) { this.state = { ...this.state, ...p }; }
  report() { this.reports++; }
  complete() { this.ended = 'completed'; }
  fail(code, message) { this.ended = `failed ${code}: ${message}`; }
}

function context(options, dataDir, handles) {
  const warnings = [];
  return {
    options,
    logger: { debug() {}, info() {}, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) },
    secrets: { put: async () => {}, get: async () => undefined, delete: async () => {}, list: async () => [] },
    clock: { now: () => new Date() },
    gateway: { providerId: 'bench', name: 'bench', dataDir },
    transfers: { get: async (id) => handles.get(id), active: async () => [...handles.values()].filter((h) => !h.ended) },
    warnings,
  };
}

async function pool(items, width, fn) {
  let i = 0;
  await Promise.all(Array.from({ length: width }, async () => { while (i < items.length) await fn(items[i++]); }));
}

const mb = (n) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

/** A real gateway in this process (see --in-gateway above); its sftp plugin serves an empty drive. */
async function startGateway(tmp) {
  const { createGatewayApp } = require(path.join(ROOT, 'apps/provider/dist/create-gateway-app.js'));
  const { generateSigningKeyPair } = require(path.join(ROOT, 'libs/crypto/dist/index.js'));
  fs.mkdirSync(path.join(tmp, 'gw-drive'));
  const config = {
    id: 'bench-gateway',
    name: 'bench gateway',
    listen: { host: '127.0.0.1', port: 0 },
    core: { url: 'http://127.0.0.1:9', signPublicKey: generateSigningKeyPair().publicKey },
    stateDir: path.join(tmp, 'gw-state'),
    drives: [{ id: 'data', path: path.join(tmp, 'gw-drive') }],
    identities: [{ name: 'alice' }],
    plugins: [{ package: '@ferry/plugin-sftp', options: { embeddedServer: { host: '127.0.0.1', port: 0 } } }],
  };
  const gw = await createGatewayApp(config, { baseDir: ROOT, logger: ['error'] });
  const probe = await fetch(`${gw.url}/.well-known/ferry-provider`);
  if (probe.status !== 200) throw new Error(`the gateway in this process answers ${probe.status}`);
  return gw;
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ferry-bench-globus-'));
  const gateway = IN_GATEWAY ? await startGateway(tmp) : null;
  if (gateway) console.log(`a gateway runs in this process (${gateway.url}, embedded PGlite): RSS ${mb(process.memoryUsage().rss)}`);
  const standinJs = compileStandin(path.join(tmp, 'standin-js'));
  const rootA = path.join(tmp, 'a');
  const rootB = path.join(tmp, 'b');
  fs.mkdirSync(path.join(rootA, 'src'), { recursive: true });
  for (let i = 0; i < N; i++) {
    fs.writeFileSync(path.join(rootA, 'src', `f${i}.bin`), Buffer.alloc(16 * 1024, i % 251));
    fs.mkdirSync(path.join(rootB, 'in', `t${i}`), { recursive: true });
  }
  const child = fork(path.join(__dirname, 'globus-standin.child.js'), [standinJs], { stdio: 'inherit' });
  process.on('exit', () => child.kill());
  const w = await ask(child, { cmd: 'start', rootA, rootB, settings: { tickMs: 100, bytesPerTick: 64, maxActivePerIdentity: 3 } });
  const secret = (name, value) => { const f = path.join(tmp, name); fs.writeFileSync(f, value, { mode: 0o600 }); return f; };

  const { default: def } = require(pluginDist);
  const handlesA = new Map();
  const handlesB = new Map();
  const optsA = def.optionsSchema.parse({ authUrl: w.authUrl, transferUrl: w.transferUrl, clientId: w.appA.clientId, clientSecretFile: secret('a.secret', w.appA.secret), pollIntervalMs: POLL_MS });
  const optsB = def.optionsSchema.parse({ authUrl: w.authUrl, transferUrl: w.transferUrl, clientId: w.appB.clientId, clientSecretFile: secret('b.secret', w.appB.secret) });
  const ctxA = context(optsA, path.join(tmp, 'data-a'), handlesA);
  const ctxB = context(optsB, path.join(tmp, 'data-b'), handlesB);
  const source = def.create(ctxA);
  const dest = def.create(ctxB);
  await source.start();
  await dest.start();
  const rssStart = process.memoryUsage().rss;

  const driveA = { id: 'a', root: '', attributes: { collectionId: w.collA } };
  const driveB = { id: 'b', root: '', attributes: { collectionId: w.collB } };
  const t0 = Date.now();
  await pool([...Array(N).keys()], 16, async (i) => {
    const id = `bench-${i}`;
    const s = new Handle(id, 'source', driveA, `src/f${i}.bin`);
    const d = new Handle(id, 'destination', driveB, `in/t${i}`);
    handlesA.set(id, s);
    handlesB.set(id, d);
    const sp = await source.prepareSource(s);
    await s.saveState(sp.state);
    const dp = await dest.prepareDestination(d, sp.publicParams);
    await d.saveState(dp.state);
    await dest.trigger(d, sp.forPeer);
    await source.trigger(s, dp.forPeer);
  });
  const setupS = (Date.now() - t0) / 1000;
  console.log(`${N} Globus transfers submitted in ${setupS.toFixed(1)} s; the poller follows ${source.poller.size}`);

  const before = await ask(child, { cmd: 'count' });
  const reqBefore = source.client.requestCount;
  const roundsBefore = source.poller.rounds;
  let rssMax = 0;
  const start = Date.now();
  while (Date.now() - start < WINDOW_S * 1000) {
    await new Promise((r) => setTimeout(r, 1000));
    rssMax = Math.max(rssMax, process.memoryUsage().rss);
  }
  const seconds = (Date.now() - start) / 1000;
  const after = await ask(child, { cmd: 'count' });
  const taskList = (c) => c.counters['GET /v0.10/task_list'] || 0;
  const single = (c) => c.counters['GET /v0.10/task/:id'] || 0;
  const pollReqs = taskList(after) - taskList(before);
  console.log(`window ${seconds.toFixed(1)} s with ${source.poller.size} tasks followed (stand-in: ${JSON.stringify(after.statuses)})`);
  console.log(`  poll requests: ${pollReqs} task_list + ${single(after) - single(before)} single-task GETs = ${(pollReqs / seconds).toFixed(2)} req/s` +
    ` (${source.poller.rounds - roundsBefore} rounds, every ${POLL_MS} ms, ${Math.ceil(N / 50)} batches of <=50 ids each)`);
  console.log(`  all Transfer requests from the source plugin: ${((source.client.requestCount - reqBefore) / seconds).toFixed(2)} req/s`);
  console.log(`  RSS: ${mb(rssStart)} before submitting, max ${mb(rssMax)} while following ${N}; heap used ${mb(process.memoryUsage().heapUsed)}`);

  await ask(child, { cmd: 'set', settings: { bytesPerTick: 1024 * 1024, maxActivePerIdentity: 100000 } });
  const t1 = Date.now();
  while ([...handlesA.values()].some((h) => !h.ended) && Date.now() - t1 < 300e3) await new Promise((r) => setTimeout(r, 500));
  const ends = [...handlesA.values()].reduce((m, h) => m.set(h.ended || 'running', (m.get(h.ended || 'running') || 0) + 1), new Map());
  console.log(`after release: ${JSON.stringify(Object.fromEntries(ends))} in ${((Date.now() - t1) / 1000).toFixed(1)} s; poller now follows ${source.poller.size}; warnings logged: ${ctxA.warnings.length}`);
  console.log(`  RSS at the end: ${mb(process.memoryUsage().rss)}`);

  await source.stop();
  await dest.stop();
  if (gateway) await gateway.close();
  await ask(child, { cmd: 'stop' }).catch(() => undefined);
  fs.rmSync(tmp, { recursive: true, force: true });
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
