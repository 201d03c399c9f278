import { execFile, spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { isEndState, type ProviderAccessPoints, type TunnelView } from '@ferry/contracts';
import { generateBoxKeyPair, seal } from '@ferry/crypto';
import { negotiateTriggers, newTunnelSecret, tunnelTriggerUser } from '../../apps/cli/src/negotiation';
import { REPO_ROOT, ResearcherClient, Stack, startStack, TunnelOrder } from '../harness';

/**
 * Stream tunnels end to end: core and gateways A and B as processes (compiled dist/), the real
 * stream-tunnel plugin on both, unchanged applications (psql, an HTTP client and server, raw
 * sockets) on loopback. A's access point a-lan gives listen ports, B's b-lan reaches 127.0.0.1:*.
 */
const FERRY = path.join(REPO_ROOT, 'apps/cli/bin/ferry.js');
const run = promisify(execFile);

let stack: Stack;
let alice: ResearcherClient;
let home: string;
let echo: net.Server;
let echoPort: number;

beforeAll(async () => {
  stack = await startStack({ name: 'tunnel', database: 'pglite' });
  alice = stack.researcher('alice');
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'ferry-tunnel-home-'));
  echo = net.createServer({ allowHalfOpen: true }, (s) => s.pipe(s));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  echoPort = (echo.address() as net.AddressInfo).port;
  expect((await ferry(['keygen'])).code).toBe(0);
}, 180_000);

afterAll(async () => {
  echo?.close();
  await stack?.stop();
  if (home) fs.rmSync(home, { recursive: true, force: true });
}, 60_000);

const order = (target: string, over: Partial<TunnelOrder> = {}): TunnelOrder => ({
  initiator: { providerId: 'provider-a', accessPoint: 'a-lan' },
  listener: { providerId: 'provider-b', accessPoint: 'b-lan' },
  target,
  lifetimeMinutes: 30,
  ...over,
});

function ferry(args: string[], user = 'alice'): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [FERRY, ...args], {
      env: { ...process.env, FERRY_CONFIG_DIR: path.join(home, user), FERRY_URL: stack.coreUrl, FERRY_TOKEN: stack.tokens[user], FERRY_POLL_MS: '200' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

it('lists the access points of both providers with their peers and targets (API and CLI)', async () => {
  const expected: ProviderAccessPoints[] = [
    {
      providerId: 'provider-a',
      providerName: 'Provider A',
      accessPoints: [
        { id: 'a-lan', mechanism: 'stream-tunnel', initiator: { bindHost: '127.0.0.1', portRange: stack.tunnel.portRange, lanSecret: false, peers: ['provider-b'] }, listener: null },
      ],
      error: null,
    },
    {
      providerId: 'provider-b',
      providerName: 'Provider B',
      accessPoints: [{ id: 'b-lan', mechanism: 'stream-tunnel', initiator: null, listener: { targets: ['127.0.0.1:*'], peers: ['provider-a'] } }],
      error: null,
    },
  ];
  expect(await alice.api.accessPoints()).toEqual(expected);
  const cli = await ferry(['tunnel', 'access-points', '--json']);
  expect(cli.code).toBe(0);
  expect(JSON.parse(cli.stdout)).toEqual(expected);
  const table = await ferry(['tunnel', 'access-points']);
  expect(table.stdout).toMatch(/provider-b\s+b-lan\s+listener\s+targets 127\.0\.0\.1:\*\s+from provider-a/);
  // carol has no account at either provider: nothing to use
  expect(await stack.researcher('carol').api.accessPoints()).toEqual([]);
});

it('psql reaches the real PostgreSQL server through a tunnel made with `ferry tunnel create`, and `tunnel show` prints the address', async () => {
  const pg = new URL(process.env.FERRY_TEST_PG_URL!);
  const created = await ferry(['tunnel', 'create', 'provider-a:a-lan', 'provider-b:b-lan', '--target', `127.0.0.1:${pg.port}`, '--lifetime', '30', '--label', 'psql', '--json']);
  expect(created.stderr).toBe('');
  expect(created.code).toBe(0);
  const t = JSON.parse(created.stdout) as TunnelView;
  expect(t.state).toBe('RUNNING');
  expect(t.listenAddress).toMatch(/^127\.0\.0\.1:\d+$/);
  expect(t.task.kind).toBe('tunnel');
  const port = Number(t.listenAddress!.split(':')[1]);
  expect(inRange(port, stack.tunnel.portRange)).toBe(true);

  const { stdout } = await run('psql', [`postgresql://postgres@127.0.0.1:${port}/postgres`, '-Atc', 'select n, md5(n::text) from generate_series(1, 300) as n where n % 100 = 0']);
  expect(stdout.trim().split('\n')).toEqual([100, 200, 300].map((n) => `${n}|${crypto.createHash('md5').update(String(n)).digest('hex')}`));

  // the figures reach the task (reports are throttled, so wait for them), and the events name the connection
  const task = await alice.waitTask(t.id, (x) => (x.tunnel?.connectionsTotal ?? 0) >= 1 && x.tunnel?.connectionsOpen === 0 && (x.tunnel?.bytesBtoA ?? 0) > 0);
  expect(task.tunnel!.bytesAtoB).toBeGreaterThan(0);
  const view = await waitEvents(alice, t.id, (e) => e.some((x) => x.side === 'initiator' && x.type === 'connection-closed'));
  expect(view.events!.map((e) => `${e.side}:${e.type}`)).toEqual(expect.arrayContaining(['initiator:listening', 'initiator:connection-opened', 'listener:listening', 'listener:connection-opened']));
  expect(view.events!.find((e) => e.side === 'listener' && e.type === 'connection-opened')!.message).toContain(`127.0.0.1:${pg.port}`);
  expect((await alice.api.task(t.id)).events?.length).toBe(view.events!.length);

  const show = await ferry(['tunnel', 'show', t.id]);
  expect(show.code).toBe(0);
  expect(show.stdout.split('\n')[0]).toMatch(new RegExp(`^connect to\\s+127\\.0\\.0\\.1:${port}$`));
  const ls = await ferry(['tunnel', 'ls', '--json']);
  expect((JSON.parse(ls.stdout) as TunnelView[]).map((x) => x.id)).toContain(t.id);
  expect((await ferry(['tunnel', 'ls'])).stdout).toMatch(new RegExp(`${t.id}\\s+RUNNING\\s+127\\.0\\.0\\.1:${port}`));

  const closed = await ferry(['tunnel', 'close', t.id]);
  expect(closed.stdout.trim()).toBe(`${t.id} CLOSED`);
  await expect(connectOnce(port)).rejects.toThrow(/ECONNREFUSED/);
});

it('carries an HTTP client and server (keep-alive) through a tunnel made by the researcher client', async () => {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => res.end(JSON.stringify({ method: req.method, url: req.url, body })));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { tunnel } = await alice.openTunnel(order(`127.0.0.1:${(server.address() as net.AddressInfo).port}`, { label: 'http' }));
  const { port } = await alice.listenAddress(tunnel.id);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (let i = 0; i < 3; i++) {
      expect(JSON.parse(await post(agent, port, `/item/${i}`, `payload ${i}`))).toEqual({ method: 'POST', url: `/item/${i}`, body: `payload ${i}` });
    }
  } finally {
    agent.destroy();
    server.close();
  }
  // three requests over one kept-alive connection
  const t = await alice.waitTask(tunnel.id, (x) => x.tunnel?.connectionsOpen === 0 && (x.tunnel?.connectionsTotal ?? 0) >= 1);
  expect(t.tunnel!.connectionsTotal).toBe(1);
  await alice.api.control(tunnel.id, 'cancel');
});

it('refuses connections when the two sides were given different secrets, and counts them as events', async () => {
  const { tunnel } = await alice.openTunnel(order(`127.0.0.1:${echoPort}`), { source: newTunnelSecret(), destination: newTunnelSecret() });
  const { port } = await alice.listenAddress(tunnel.id);
  // A accepts the application's connection, B refuses A's answer to its challenge: nothing comes back
  expect(await exchange(port, 'ping')).toBe('');
  expect(await exchange(port, 'ping again')).toBe('');
  const view = await waitEvents(alice, tunnel.id, (e) => e.filter((x) => x.side === 'listener' && x.type === 'connection-refused').length >= 2);
  expect(view.events!.filter((x) => x.side === 'listener' && x.type === 'connection-refused').length).toBeGreaterThanOrEqual(2);
  expect(view.task.state).toBe('RUNNING');
  await alice.api.control(tunnel.id, 'cancel');
});

it('refuses a target the listener does not allow at negotiation: 422 with the gateway reason, task REJECTED', async () => {
  // matching is literal on the host: localhost is not 127.0.0.1
  for (const target of ['10.20.30.40:22', `localhost:${echoPort}`]) {
    const err = await alice.error(alice.api.createTunnel({ ...order(target), userPublicKey: alice.key.publicKey }));
    expect(err.status).toBe(422);
    expect(err.code).toBe('REJECTED_BY_POLICY');
    expect(err.message).toBe(`provider provider-b rejected the tunnel: target ${target} is not allowed at access point 'b-lan' (allowed: 127.0.0.1:*)`);
    const id = (err.details as { tunnelId: string }).tunnelId;
    const t = await alice.api.tunnel(id);
    expect(t.state).toBe('REJECTED');
    expect(t.rejection).toEqual({ providerId: 'provider-b', code: 'REJECTED_BY_POLICY', reason: expect.stringContaining('not allowed') });
  }
  // an access point that does not exist, and a tunnel B -> A (no agreement) are refused the same way
  const unknown = await alice.error(alice.api.createTunnel({ ...order(`127.0.0.1:${echoPort}`, { listener: { providerId: 'provider-b', accessPoint: 'nope' } }), userPublicKey: alice.key.publicKey }));
  expect(unknown.code).toBe('REJECTED_BY_POLICY');
  expect(unknown.message).toContain("access point 'nope' does not exist");
  const reverse = await alice.error(
    alice.api.createTunnel({
      ...order(`127.0.0.1:${echoPort}`, { initiator: { providerId: 'provider-b', accessPoint: 'b-lan' }, listener: { providerId: 'provider-a', accessPoint: 'a-lan' } }),
      userPublicKey: alice.key.publicKey,
    }),
  );
  expect(reverse.code).toBe('REJECTED_BY_POLICY');
  // bad input never reaches a gateway
  const bad = await alice.error(alice.api.createTunnel({ ...order('no-port'), userPublicKey: alice.key.publicKey }));
  expect([bad.status, bad.code]).toEqual([400, 'VALIDATION_FAILED']);
  const same = await alice.error(alice.api.createTunnel({ ...order(`127.0.0.1:${echoPort}`, { listener: { providerId: 'provider-a', accessPoint: 'a-lan' } }), userPublicKey: alice.key.publicKey }));
  expect([same.status, same.code]).toEqual([400, 'VALIDATION_FAILED']);
  const carol = stack.researcher('carol');
  const unmapped = await carol.error(carol.api.createTunnel({ ...order(`127.0.0.1:${echoPort}`), userPublicKey: carol.key.publicKey }));
  expect([unmapped.status, unmapped.code]).toEqual([403, 'NO_IDENTITY_MAPPING']);
});

it('gives a clear error when the port range is exhausted, and the tunnel ends FAILED with it', async () => {
  // take every port of A's range from this process: the gateway finds none free
  const held = await holdPorts(stack.tunnel.portRange);
  try {
    const created = await alice.api.createTunnel({ ...order(`127.0.0.1:${echoPort}`), userPublicKey: alice.key.publicKey });
    const { request } = negotiateTriggers(created, alice.key, await alice.trustedKeys(), tunnelTriggerUser(newTunnelSecret()));
    const err = await alice.error(alice.api.triggerTunnel(created.id, request));
    expect(err.code).toBe('REJECTED_BY_POLICY');
    expect(err.message).toContain(`provider provider-a: no free port in the access point's port range ${stack.tunnel.portRange} on 127.0.0.1`);
    // the gateway failed its side at once and told the core, which ends the task with the message
    const t = await alice.waitTask(created.id, (x) => isEndState(x.state));
    expect(t.state).toBe('FAILED');
    expect(t.error).toEqual({ code: 'REJECTED', message: expect.stringContaining('no free port') });
  } finally {
    for (const s of held) s.close();
  }
});

it('cancel closes live connections at once (CLOSED)', async () => {
  const { tunnel } = await alice.openTunnel(order(`127.0.0.1:${echoPort}`));
  const { port } = await alice.listenAddress(tunnel.id);
  const live = await openLive(port);
  expect(await live.say('still here')).toBe('still here');
  const cancelled = await alice.api.control(tunnel.id, 'cancel');
  expect(cancelled.state).toBe('CLOSED');
  await live.closed;
  await expect(connectOnce(port)).rejects.toThrow(/ECONNREFUSED/);
  const view = await waitEvents(alice, tunnel.id, (e) => e.some((x) => x.type === 'stopped' && x.side === 'initiator'));
  expect(view.events!.find((x) => x.type === 'stopped' && x.side === 'initiator')!.message).toBe('cancelled');
  expect(view.task.operations).toEqual([]);
});

it('closes the tunnel and its live connections at the end of its lifetime (fractional minutes)', async () => {
  const { tunnel } = await alice.openTunnel(order(`127.0.0.1:${echoPort}`, { lifetimeMinutes: 0.1 }));
  const { port } = await alice.listenAddress(tunnel.id);
  const live = await openLive(port);
  expect(await live.say('before the end')).toBe('before the end');
  const ended = await alice.waitState(tunnel.id, ['CLOSED']);
  expect(ended.error).toBeNull();
  await live.closed;
  await expect(connectOnce(port)).rejects.toThrow(/ECONNREFUSED/);
  const view = await waitEvents(alice, tunnel.id, (e) => e.some((x) => x.type === 'stopped' && x.message === 'lifetime ended'));
  expect(view.state).toBe('CLOSED');
});

it('re-opens the same port after a gateway restart with an ACTIVE tunnel, and new connections work', async () => {
  const { tunnel } = await alice.openTunnel(order(`127.0.0.1:${echoPort}`));
  const { port } = await alice.listenAddress(tunnel.id);
  expect(await exchange(port, 'one')).toBe('one');

  await stack.gatewayA.restart();
  expect(await untilOk(() => exchange(port, 'after A restarted'))).toBe('after A restarted');
  await stack.gatewayB.restart();
  expect(await untilOk(() => exchange(port, 'after B restarted'))).toBe('after B restarted');

  const t = await alice.api.task(tunnel.id);
  expect(t.state).toBe('RUNNING');
  expect(t.tunnel!.listenAddress).toBe(`127.0.0.1:${port}`);
  await alice.api.control(tunnel.id, 'cancel');
});

it("bob cannot see, trigger or close alice's tunnel", async () => {
  const { tunnel } = await alice.openTunnel(order(`127.0.0.1:${echoPort}`));
  const bob = stack.researcher('bob');
  expect((await bob.error(bob.api.tunnel(tunnel.id))).code).toBe('NOT_FOUND');
  expect((await bob.error(bob.api.task(tunnel.id))).code).toBe('NOT_FOUND');
  expect((await bob.api.allTunnels()).map((t) => t.id)).not.toContain(tunnel.id);
  expect((await bob.error(bob.api.control(tunnel.id, 'cancel'))).code).toBe('NOT_FOUND');
  const envelope = seal({}, generateBoxKeyPair().publicKey, { transferId: tunnel.id, role: 'source', purpose: 'trigger' });
  expect((await bob.error(bob.api.triggerTunnel(tunnel.id, { triggers: [{ role: 'source', envelope }] }))).code).toBe('NOT_FOUND');
  const bobCli = await ferry(['tunnel', 'show', tunnel.id], 'bob');
  expect(bobCli.code).toBe(1);
  expect(bobCli.stderr).toMatch(/error NOT_FOUND/);
  // a tunnel is not a transfer, nor the other way round
  expect((await alice.error(alice.api.getTransfer(tunnel.id))).code).toBe('NOT_FOUND');
  expect((await alice.api.task(tunnel.id)).state).toBe('RUNNING');
  await alice.api.control(tunnel.id, 'cancel');
});

// ---- helpers ----

function inRange(port: number, range: string): boolean {
  const [low, high = low] = range.split('-').map(Number);
  return port >= low && port <= high;
}

async function waitEvents(who: ResearcherClient, id: string, ok: (e: NonNullable<TunnelView['events']>) => boolean): Promise<TunnelView> {
  for (const deadline = Date.now() + 60_000; ; ) {
    const t = await who.api.tunnel(id);
    if (ok(t.events ?? [])) return t;
    if (Date.now() > deadline) throw new Error(`events of ${id} never matched: ${JSON.stringify(t.events)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Retries while the restarted gateway is still coming back (the harness waits for HTTP, the tunnel follows in recover()). */
async function untilOk<T>(f: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      const v = await f();
      if (v !== '' || i > 50) return v;
    } catch (e) {
      if (i > 50) throw e;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

function connectOnce(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.on('connect', () => (s.destroy(), resolve()));
    s.on('error', reject);
  });
}

/** Sends `text`, half-closes, returns all that came back ('' when the tunnel cut the connection). */
function exchange(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    const got: Buffer[] = [];
    s.on('connect', () => s.end(text));
    s.on('data', (d) => got.push(d));
    s.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' ? undefined : reject(e)));
    s.on('close', () => resolve(Buffer.concat(got).toString()));
  });
}

/** A connection kept open: `say` round-trips a message through the echo target; `closed` resolves when the tunnel drops it. */
async function openLive(port: number): Promise<{ say(text: string): Promise<string>; closed: Promise<void> }> {
  const s = net.connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => (s.once('connect', resolve), s.once('error', reject)));
  s.on('error', () => undefined);
  const closed = new Promise<void>((r) => s.once('close', () => r()));
  return {
    closed,
    say: (text) =>
      new Promise((resolve) => {
        let got = '';
        const onData = (d: Buffer) => {
          got += d.toString();
          if (got.length >= text.length) (s.off('data', onData), resolve(got));
        };
        s.on('data', onData);
        s.write(text);
      }),
  };
}

function post(agent: http.Agent, port: number, urlPath: string, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: urlPath, method: 'POST', agent }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Listens on every port of `range` that is free now (the ones already taken stay taken by their owners). */
async function holdPorts(range: string): Promise<net.Server[]> {
  const [low, high = low] = range.split('-').map(Number);
  const held: net.Server[] = [];
  for (let p = low; p <= high; p++) {
    const s = net.createServer();
    const ok = await new Promise<boolean>((r) => (s.once('error', () => r(false)), s.listen(p, '127.0.0.1', () => r(true))));
    if (ok) held.push(s);
  }
  return held;
}
