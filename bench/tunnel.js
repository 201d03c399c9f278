#!/usr/bin/env node
'use strict';
/**
 * Stream-tunnel figures on loopback, for docs/tunnels.md: direct TCP vs the tunnel (one TLS leg per
 * application connection, the plugin as built) vs a small multiplexed-leg prototype
 * (bench/tunnel-mux-prototype.js), on three workloads:
 *
 *   throughput   one connection streams N MiB one way (default 1024)
 *   round trips  10,000 sequential 64-byte request/response exchanges on one connection
 *   connect      200 sequential connections: connect, 1 byte there and back, close
 *   TLS          full vs resumed TLS 1.3 handshakes to the listener's data port
 *   emulated WAN the gateway-to-gateway leg through a user-space delay proxy (--wan-ms one way,
 *                default 25 ms = 50 ms round trip; up to 32 MiB in flight): the same three
 *                workloads, smaller (--wan-mib=64, 50 round trips, 20 connects). Loopback hides the
 *                multiplexer's per-stream window cap; this shows it.
 *
 *   node bench/tunnel.js [--mib=1024] [--rounds=10000] [--connects=200] [--wan-ms=25] [--wan-mib=64] [--json]
 *
 * Builds the plugin first (tsc -b plugins/stream-tunnel). Not a test: it prints numbers.
 */
const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const tls = require('node:tls');

const ROOT = path.join(__dirname, '..');
const arg = (name, dflt) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt);
const MIB = arg('mib', 1024);
const ROUNDS = arg('rounds', 10000);
const CONNECTS = arg('connects', 200);
const JSON_OUT = process.argv.includes('--json');
const WAN_MS = arg('wan-ms', 25);
const WAN_MIB = arg('wan-mib', 64);

execFileSync(path.join(ROOT, 'node_modules/.bin/tsc'), ['-b', path.join(ROOT, 'plugins/stream-tunnel')], { stdio: 'inherit' });
const { plugin } = require(path.join(ROOT, 'plugins/stream-tunnel/dist/index.js'));
const { loadOrCreateTlsIdentity } = require(path.join(ROOT, 'plugins/stream-tunnel/dist/tls-cert.util.js'));
const { startMuxTunnel } = require('./tunnel-mux-prototype');

const silent = { debug() {}, info() {}, warn() {}, error() {} };

function context(root, providerId, options) {
  const secrets = new Map();
  fs.mkdirSync(path.join(root, providerId), { recursive: true });
  return {
    options: plugin.optionsSchema.parse(options),
    logger: silent,
    secrets: { put: async (k, v) => void secrets.set(k, v), get: async (k) => secrets.get(k), delete: async (k) => void secrets.delete(k), list: async () => [...secrets.keys()] },
    clock: { now: () => new Date() },
    gateway: { providerId, name: providerId, dataDir: path.join(root, providerId) },
    transfers: { get: async () => undefined, active: async () => [] },
  };
}

function handle(id, role, tunnel) {
  let state = {};
  return {
    id, role, tunnel, figures: null,
    identity: { name: 'bench', account: 'bench', attributes: {} }, drive: { id: '', root: '', attributes: {} }, path: '', localPath: '',
    options: {}, peer: {}, triggerDeadline: new Date(Date.now() + 60_000), signal: new AbortController().signal,
    get state() { return state; },
    setState(s) { state = { ...s }; },
    async saveState(p) { state = { ...state, ...p }; },
    report() {}, complete() {}, fail(code, msg) { console.error('tunnel failed', code, msg); },
    reportTunnel(f) { this.figures = f; },
  };
}

/**
 * A WAN stand-in between the gateways: every chunk is delivered `oneWayMs` later, and at most
 * `maxInFlight` bytes are in the "network" per direction (reading pauses beyond that), like a path
 * with that delay and a 32 MiB bandwidth-delay product.
 */
async function delayProxy(targetPort, oneWayMs, maxInFlight = 32 * 1024 * 1024) {
  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (c) => {
    const u = net.connect({ host: '127.0.0.1', port: targetPort, allowHalfOpen: true, noDelay: true });
    const pump = (src, dst) => {
      let inFlight = 0;
      src.on('data', (chunk) => {
        inFlight += chunk.length;
        if (inFlight > maxInFlight) src.pause();
        setTimeout(() => {
          if (!dst.destroyed) dst.write(chunk);
          inFlight -= chunk.length;
          if (inFlight <= maxInFlight && src.isPaused()) src.resume();
        }, oneWayMs);
      });
      src.on('end', () => setTimeout(() => dst.end(), oneWayMs + 1));
      src.on('error', () => dst.destroy());
      src.on('close', () => setTimeout(() => dst.destroy(), oneWayMs + 50));
    };
    pump(c, u);
    pump(u, c);
  });
  return { port: await listen(server), close: () => server.close() };
}

async function startPluginTunnel(root, targetPort, wanMs = 0) {
  const a = plugin.create(context(root, 'a', { accessPoints: [{ id: 'inst', portRange: '45000-45999' }] }));
  const b = plugin.create(context(root, 'b', { accessPoints: [{ id: 'svc', targets: ['127.0.0.1:*'] }], dataPort: { host: '127.0.0.1', port: 0 } }));
  await a.start();
  await b.start();
  const id = crypto.randomUUID();
  const spec = (ap) => ({ accessPoint: ap, target: `127.0.0.1:${targetPort}`, lifetimeMinutes: 60 });
  const ha = handle(id, 'source', spec('inst'));
  const hb = handle(id, 'destination', spec('svc'));
  const pa = await a.prepareSource(ha);
  ha.setState(pa.state);
  const pb = await b.prepareDestination(hb, pa.publicParams);
  hb.setState(pb.state);
  const user = { tunnelSecret: crypto.randomBytes(32).toString('base64') };
  await b.trigger(hb, pa.forPeer, user);
  const proxy = wanMs ? await delayProxy(pb.forPeer.dataPort, wanMs) : null;
  await a.trigger(ha, proxy ? { ...pb.forPeer, dataPort: proxy.port } : pb.forPeer, user);
  const port = Number(ha.figures.listenAddress.split(':').pop());
  return { port, dataPort: pb.forPeer.dataPort, close: async () => (await a.stop(), await b.stop(), proxy?.close()) };
}

// --- target servers ---
async function listen(server) {
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return server.address().port;
}
function echoServer() {
  return net.createServer({ allowHalfOpen: true }, (s) => (s.on('error', () => {}), s.pipe(s)));
}
function sinkServer() {
  // counts bytes, answers the total when the client ends its side
  return net.createServer({ allowHalfOpen: true }, (s) => {
    let n = 0;
    s.on('data', (d) => (n += d.length));
    s.on('end', () => s.end(String(n)));
    s.on('error', () => {});
  });
}

// --- workloads ---
async function throughput(port, mib) {
  const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  await new Promise((r) => s.once('connect', r));
  const chunk = crypto.randomBytes(1024 * 1024);
  const t0 = process.hrtime.bigint();
  let reply = '';
  const done = new Promise((r) => (s.on('data', (d) => (reply += d)), s.on('end', r)));
  for (let i = 0; i < mib; i++) if (!s.write(chunk)) await new Promise((r) => s.once('drain', r));
  s.end();
  await done;
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  if (Number(reply) !== mib * 1024 * 1024) throw new Error(`sink got ${reply} bytes`);
  s.destroy();
  return { MiBps: mib / secs, seconds: secs };
}

async function roundTrips(port, rounds) {
  const s = net.connect({ port, host: '127.0.0.1' });
  s.setNoDelay(true);
  await new Promise((r) => s.once('connect', r));
  const msg = Buffer.alloc(64, 1);
  let got = 0;
  let wake = null;
  s.on('data', (d) => {
    got += d.length;
    if (got >= 64 && wake) (got -= 64), wake();
  });
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) {
    await new Promise((r) => {
      wake = r;
      s.write(msg);
    });
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  s.destroy();
  return { microsPerRoundTrip: (secs * 1e6) / rounds, seconds: secs };
}

async function connects(port, n) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.setNoDelay(true);
    await new Promise((r, j) => (s.once('connect', () => s.write('x')), s.once('data', r), s.once('error', j)));
    s.destroy();
  }
  return { msPerConnection: Number(process.hrtime.bigint() - t0) / 1e6 / n };
}

async function tlsHandshakes(dataPort, n) {
  const one = (session) =>
    new Promise((resolve, reject) => {
      const t0 = process.hrtime.bigint();
      const s = tls.connect({ host: '127.0.0.1', port: dataPort, rejectUnauthorized: false, session, minVersion: 'TLSv1.3' });
      s.setNoDelay(true);
      let sess;
      s.on('session', (x) => (sess = x));
      let ms = 0;
      let reused = false;
      s.once('secureConnect', () => {
        ms = Number(process.hrtime.bigint() - t0) / 1e6;
        reused = s.isSessionReused();
      });
      // the ticket arrives after the handshake (TLS 1.3), after the listener's first line; wait for it
      // (a resumed handshake may bring no new ticket: then give up waiting after 100 ms)
      const finish = () => (clearTimeout(timer), s.destroy(), resolve({ ms, reused, session: sess }));
      const timer = setTimeout(finish, 100);
      s.once('session', finish);
      s.once('error', reject);
    });
  const first = await one(undefined);
  let full = 0, resumed = 0, reusedCount = 0;
  // interleaved, so that load from other processes hits both alike
  for (let i = 0; i < n; i++) {
    full += (await one(undefined)).ms;
    const r = await one(first.session);
    resumed += r.ms;
    reusedCount += r.reused ? 1 : 0;
  }
  return { fullMs: full / n, resumedMs: resumed / n, resumedShare: reusedCount / n };
}

async function main() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ferry-bench-tunnel-'));
  const sink = sinkServer();
  const echo = echoServer();
  const sinkPort = await listen(sink);
  const echoPort = await listen(echo);
  const id = loadOrCreateTlsIdentity(path.join(root, 'mux'), 'bench');

  const pluginSink = await startPluginTunnel(path.join(root, 's'), sinkPort);
  const pluginEcho = await startPluginTunnel(path.join(root, 'e'), echoPort);
  const muxSink = await startMuxTunnel({ cert: id.certPem, key: id.keyPem, target: sinkPort });
  const muxEcho = await startMuxTunnel({ cert: id.certPem, key: id.keyPem, target: echoPort });

  const rows = [];
  const variants = [
    ['direct TCP', sinkPort, echoPort],
    ['tunnel, TLS leg per connection', pluginSink.port, pluginEcho.port],
    ['multiplexed leg (prototype, 256 KiB window)', muxSink.port, muxEcho.port],
  ];
  for (const [name, sp, ep] of variants) {
    process.stderr.write(`${name}: throughput… `);
    const tp = await throughput(sp, MIB);
    process.stderr.write('round trips… ');
    const rt = await roundTrips(ep, ROUNDS);
    process.stderr.write('connects…\n');
    const cn = await connects(ep, CONNECTS);
    rows.push({ variant: name, throughputMiBps: +tp.MiBps.toFixed(0), roundTripMicros: +rt.microsPerRoundTrip.toFixed(1), connectMs: +cn.msPerConnection.toFixed(3) });
  }
  process.stderr.write('TLS handshakes…\n');
  const hs = await tlsHandshakes(pluginEcho.dataPort, 100);

  // the same, with the gateway-to-gateway leg through the WAN stand-in
  const wanRows = [];
  if (WAN_MS > 0) {
    const wLegSink = await startPluginTunnel(path.join(root, 'ws'), sinkPort, WAN_MS);
    const wLegEcho = await startPluginTunnel(path.join(root, 'we'), echoPort, WAN_MS);
    const wMuxSink = await startMuxTunnel({ cert: id.certPem, key: id.keyPem, target: sinkPort, wanMs: WAN_MS, delayProxy });
    const wMuxEcho = await startMuxTunnel({ cert: id.certPem, key: id.keyPem, target: echoPort, wanMs: WAN_MS, delayProxy });
    for (const [name, sp, ep] of [
      ['tunnel, TLS leg per connection', wLegSink.port, wLegEcho.port],
      ['multiplexed leg (prototype, 256 KiB window)', wMuxSink.port, wMuxEcho.port],
    ]) {
      process.stderr.write(`WAN ${name}…\n`);
      const tp = await throughput(sp, WAN_MIB);
      const rt = await roundTrips(ep, 50);
      const cn = await connects(ep, 20);
      wanRows.push({ variant: name, throughputMiBps: +tp.MiBps.toFixed(1), roundTripMs: +(rt.microsPerRoundTrip / 1000).toFixed(1), connectMs: +cn.msPerConnection.toFixed(1) });
    }
    await wLegSink.close();
    await wLegEcho.close();
    wMuxSink.close();
    wMuxEcho.close();
  }

  await pluginSink.close();
  await pluginEcho.close();
  muxSink.close();
  muxEcho.close();
  sink.close();
  echo.close();
  fs.rmSync(root, { recursive: true, force: true });

  const result = { machine: `${os.cpus().length} × ${os.cpus()[0].model}, node ${process.version}`, loadAverage: os.loadavg()[0], MiB: MIB, rounds: ROUNDS, connects: CONNECTS, rows, tlsHandshake: hs, wan: { oneWayMs: WAN_MS, MiB: WAN_MIB, rounds: 50, connects: 20, rows: wanRows } };
  if (JSON_OUT) return console.log(JSON.stringify(result, null, 2));
  console.log(`stream tunnel on loopback (${result.machine})`);
  console.log(`throughput: ${MIB} MiB one way; round trips: ${ROUNDS} × 64 bytes; connect: ${CONNECTS} × (connect + 1-byte echo)\n`);
  console.log('| variant | throughput MiB/s | round trip µs | connect ms |');
  console.log('|---|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.variant} | ${r.throughputMiBps} | ${r.roundTripMicros} | ${r.connectMs} |`);
  console.log(`\nTLS 1.3 handshake to the data port: full ${hs.fullMs.toFixed(3)} ms, resumed ${hs.resumedMs.toFixed(3)} ms (${(hs.resumedShare * 100).toFixed(0)}% resumed)`);
  if (wanRows.length) {
    console.log(`\nemulated WAN between the gateways: ${WAN_MS} ms each way; ${WAN_MIB} MiB one way; 50 round trips; 20 connects`);
    console.log('| variant | throughput MiB/s | round trip ms | connect ms |');
    console.log('|---|---:|---:|---:|');
    for (const r of wanRows) console.log(`| ${r.variant} | ${r.throughputMiBps} | ${r.roundTripMs} | ${r.connectMs} |`);
  }
  console.log(`\nload average (1 min) at the end: ${os.loadavg()[0].toFixed(1)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
