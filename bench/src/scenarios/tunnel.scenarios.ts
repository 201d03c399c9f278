import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import type { BenchEnv } from '../bench-env';
import { ratiosOf, ratioTarget, summarize, type ContenderResult, type ScenarioResult } from '../measure';
import { CIPHERS, type CipherName } from '../reference-tools';
import type { BenchContext, Scenario } from '../scenario';

/**
 * The stream tunnel against OpenSSH port forwarding (ssh -L through the sshd fixture) and direct
 * TCP, all three driven by the same two workloads from this process:
 * - ferry: a real tunnel opened through the core between the bench stack's gateways A (initiator,
 *   access point a-lan) and B (listener, b-lan), each gateway its own process, the leg between them
 *   TLS, as deployed;
 * - ssh -L: an ssh client and the sshd fixture (two processes), once per cipher;
 * - direct TCP: the workload straight to the target, the ceiling of this machine.
 * Rounds alternate: ferry, direct TCP, then ssh -L with each cipher.
 */
interface RoundFigures {
  /** MB/s */
  throughput: Record<string, number>;
  /** µs per 64-byte round trip */
  roundTrip: Record<string, number>;
}

const FERRY = 'ferry stream tunnel';
const DIRECT = 'direct TCP';

/** A tunnel from gateway A's access point to 127.0.0.1:targetPort behind gateway B; its local port. */
async function ferryTunnel(env: BenchEnv, targetPort: number): Promise<number> {
  const { tunnel } = await env.alice.openTunnel({
    initiator: { providerId: 'provider-a', accessPoint: 'a-lan' },
    listener: { providerId: 'provider-b', accessPoint: 'b-lan' },
    target: `127.0.0.1:${targetPort}`,
    lifetimeMinutes: 60,
  });
  return (await env.alice.listenAddress(tunnel.id)).port;
}

// --- the two workloads, as bench/tunnel.js defines them ---
function sinkServer(): net.Server {
  return net.createServer({ allowHalfOpen: true }, (s) => {
    let n = 0;
    s.on('data', (d: Buffer) => (n += d.length));
    s.on('end', () => s.end(String(n)));
    s.on('error', () => undefined);
  });
}
function echoServer(): net.Server {
  return net.createServer({ allowHalfOpen: true }, (s) => (s.on('error', () => undefined), s.pipe(s)));
}
async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as net.AddressInfo).port;
}
async function throughput(port: number, mib: number): Promise<number> {
  const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  await new Promise((r) => s.once('connect', r));
  const chunk = randomBytes(1024 * 1024);
  const t0 = process.hrtime.bigint();
  let reply = '';
  const done = new Promise((r) => (s.on('data', (d: Buffer) => (reply += d.toString())), s.on('end', r)));
  for (let i = 0; i < mib; i++) if (!s.write(chunk)) await new Promise((r) => s.once('drain', r));
  s.end();
  await done;
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  s.destroy();
  if (Number(reply) !== mib * 1024 * 1024) throw new Error(`the sink got ${reply} bytes`);
  return (mib * 1024 * 1024) / 1e6 / secs;
}
async function roundTrips(port: number, rounds: number): Promise<number> {
  const s = net.connect({ port, host: '127.0.0.1' });
  s.setNoDelay(true);
  await new Promise((r) => s.once('connect', r));
  const msg = Buffer.alloc(64, 1);
  let got = 0;
  let wake: (() => void) | null = null;
  s.on('data', (d: Buffer) => {
    got += d.length;
    if (got >= 64 && wake) {
      got -= 64;
      wake();
    }
  });
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => ((wake = r), s.write(msg)));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  s.destroy();
  return (secs * 1e6) / rounds;
}

/** `ssh -N -L` to `targetPort` through the sshd fixture; resolves with the local port once it forwards. */
async function sshForward(env: BenchEnv, cipher: CipherName, targetPort: number): Promise<{ port: number; child: ChildProcess }> {
  const probe = net.createServer();
  const port = await listen(probe);
  await new Promise((r) => probe.close(r));
  const [cmd, args] = env.cpu.clients.wrap('ssh', [
    '-N', '-p', String(env.sshd.port), '-c', CIPHERS[cipher], ...env.sshOptions,
    '-o', 'ExitOnForwardFailure=yes', '-L', `127.0.0.1:${port}:127.0.0.1:${targetPort}`, `${env.account}@127.0.0.1`,
  ]);
  const child = spawn(cmd, args, { stdio: 'ignore' });
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`ssh -L exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((r) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), r(true)));
      s.once('error', () => r(false));
    });
    if (ok) return { port, child };
    if (Date.now() > deadline) throw new Error('ssh -L did not start forwarding');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function measureAll(ctx: BenchContext): Promise<{ rounds: RoundFigures[]; mib: number; trips: number }> {
  const cached = ctx.shared.tunnel as { rounds: RoundFigures[]; mib: number; trips: number } | undefined;
  if (cached) return cached;
  const env = await ctx.env();
  const mib = ctx.quick ? 16 : 1024;
  const trips = ctx.quick ? 500 : 10_000;
  const sink = sinkServer();
  const echo = echoServer();
  const sinkPort = await listen(sink);
  const echoPort = await listen(echo);
  const rounds: RoundFigures[] = [];
  try {
    const ferrySink = await ferryTunnel(env, sinkPort);
    const ferryEcho = await ferryTunnel(env, echoPort);
    // warm-up, untimed, as in the other scenarios: the gateways' first connection through a new
    // tunnel runs its JavaScript cold (ssh and sshd are native code, started afresh each round)
    await throughput(ferrySink, Math.min(mib, 64));
    await roundTrips(ferryEcho, Math.min(trips, 1000));
    for (let r = 0; r < ctx.rounds; r++) {
      const fig: RoundFigures = { throughput: {}, roundTrip: {} };
      fig.throughput[FERRY] = await throughput(ferrySink, mib);
      fig.roundTrip[FERRY] = await roundTrips(ferryEcho, trips);
      fig.throughput[DIRECT] = await throughput(sinkPort, mib);
      fig.roundTrip[DIRECT] = await roundTrips(echoPort, trips);
      for (const cipher of Object.keys(CIPHERS) as CipherName[]) {
        const name = `ssh -L (${cipher})`;
        const fs = await sshForward(env, cipher, sinkPort);
        const fe = await sshForward(env, cipher, echoPort);
        try {
          fig.throughput[name] = await throughput(fs.port, mib);
          fig.roundTrip[name] = await roundTrips(fe.port, trips);
        } finally {
          fs.child.kill();
          fe.child.kill();
        }
      }
      ctx.log(`    round ${r + 1}: ${Object.entries(fig.throughput).map(([k, v]) => `${k} ${v.toFixed(0)} MB/s, ${fig.roundTrip[k].toFixed(0)} µs`).join('; ')}`);
      rounds.push(fig);
    }
  } finally {
    sink.close();
    echo.close();
  }
  const out = { rounds, mib, trips };
  ctx.shared.tunnel = out;
  return out;
}

function resultsOf(rounds: RoundFigures[], pick: (f: RoundFigures) => Record<string, number>): ContenderResult[] {
  const names = Object.keys(pick(rounds[0]));
  const nan = summarize([]);
  return names.map((name) => {
    const values = rounds.map((f) => pick(f)[name]);
    return { name, ferry: name === FERRY, values, value: summarize(values), wallSeconds: nan, cpuSeconds: nan };
  });
}

const NOTE =
  'Workloads and targets in the bench process; ferry: through gateways A and B (initiator and listener, separate processes, TLS leg between them); ssh -L: through an ssh client and sshd (separate processes). CPU is not shown (the gateways also run the other scenarios).';

export const tunnelScenarios: Scenario[] = [
  {
    id: 'tunnel-throughput',
    title: '1 GiB through a stream tunnel',
    async run(ctx): Promise<ScenarioResult> {
      const m = await measureAll(ctx);
      const results = resultsOf(m.rounds, (f) => f.throughput);
      return {
        id: this.id,
        title: ctx.quick ? `${m.mib} MiB through a stream tunnel (quick)` : this.title,
        unit: 'MB/s',
        higherIsBetter: true,
        contenders: results,
        ratios: ratiosOf(results),
        targets: [ratioTarget(results, 'ssh -L', '>=', 1.0, true)],
        notes: [NOTE],
        details: { MiB: m.mib },
      };
    },
  },
  {
    id: 'tunnel-round-trips',
    title: '10,000 64-byte round trips through a tunnel',
    async run(ctx): Promise<ScenarioResult> {
      const m = await measureAll(ctx);
      const results = resultsOf(m.rounds, (f) => f.roundTrip);
      return {
        id: this.id,
        title: ctx.quick ? `${m.trips} 64-byte round trips through a tunnel (quick)` : this.title,
        unit: 'µs per round trip',
        higherIsBetter: false,
        contenders: results,
        ratios: ratiosOf(results),
        targets: [ratioTarget(results, 'ssh -L', '<=', 1.0, false, "round trip ÷ ssh -L's (best setting)")],
        notes: [NOTE],
        details: { roundTrips: m.trips },
      };
    },
  },
];
