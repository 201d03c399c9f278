import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { StreamTunnelPlugin } from '../../src/stream-tunnel.plugin';
import { makeContext, TestContext } from './plugin-context.helper';
import { TunnelHandle } from './tunnel-handle.helper';

/**
 * Two gateways' worth of the plugin in one process: A (initiator, access point 'instrument') and
 * B (listener, access point 'analysis' with a TLS data port). Everything on loopback.
 */
export interface PairOptions {
  portRange?: string;
  targets?: string[];
  lanSecret?: boolean;
  maxConnectionsPerTunnel?: number;
  idleTimeoutSeconds?: number;
}

export class TunnelPair {
  a!: StreamTunnelPlugin;
  b!: StreamTunnelPlugin;
  ctxA!: TestContext;
  ctxB!: TestContext;
  readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'ferry-tunnel-'));
  dataPort = 0;
  portRange: string;

  constructor(private readonly opts: PairOptions = {}) {
    // a per-file random range keeps parallel test files apart; taken ports are skipped anyway
    const base = 41000 + Math.floor(Math.random() * 160) * 50;
    this.portRange = opts.portRange ?? `${base}-${base + 49}`;
  }

  optionsA() {
    return {
      accessPoints: [{ id: 'instrument', bindHost: '127.0.0.1', portRange: this.portRange, lanSecret: this.opts.lanSecret ?? false }],
      maxConnectionsPerTunnel: this.opts.maxConnectionsPerTunnel ?? 1024,
      idleTimeoutSeconds: this.opts.idleTimeoutSeconds ?? 600,
    };
  }

  optionsB() {
    return {
      accessPoints: [{ id: 'analysis', targets: this.opts.targets ?? ['127.0.0.1:*'] }],
      dataPort: { host: '127.0.0.1', port: this.dataPort, advertiseHost: '127.0.0.1' },
      maxConnectionsPerTunnel: this.opts.maxConnectionsPerTunnel ?? 1024,
      idleTimeoutSeconds: this.opts.idleTimeoutSeconds ?? 600,
    };
  }

  async start() {
    this.dataPort = await freePort();
    await this.startA();
    await this.startB();
    return this;
  }

  async startA() {
    this.ctxA = makeContext('provider-a', path.join(this.root, 'a'), this.optionsA());
    this.a = new StreamTunnelPlugin(this.ctxA);
    await this.a.start();
  }

  async startB() {
    this.ctxB = makeContext('provider-b', path.join(this.root, 'b'), this.optionsB());
    this.b = new StreamTunnelPlugin(this.ctxB);
    await this.b.start();
  }

  async stop() {
    await this.a?.stop();
    await this.b?.stop();
    fs.rmSync(this.root, { recursive: true, force: true });
  }

  /** Negotiate and trigger one tunnel the way the core and the researcher would, in their order. */
  async open(target: string, o: { lifetimeMinutes?: number; secret?: string; user?: Record<string, unknown>; peerPatch?: Record<string, unknown> } = {}) {
    const id = crypto.randomUUID();
    const secret = o.secret ?? crypto.randomBytes(32).toString('base64');
    const lifetimeMinutes = o.lifetimeMinutes ?? 60;
    const ha = new TunnelHandle(id, 'source', { accessPoint: 'instrument', target, lifetimeMinutes });
    const hb = new TunnelHandle(id, 'destination', { accessPoint: 'analysis', target, lifetimeMinutes });
    const pa = await this.a.prepareSource(ha);
    ha.setState(pa.state);
    const pb = await this.b.prepareDestination(hb, pa.publicParams);
    hb.setState(pb.state);
    this.ctxA.handles.set(id, ha);
    this.ctxB.handles.set(id, hb);
    const user = { tunnelSecret: secret, ...(o.user ?? {}) };
    await this.b.trigger(hb, pa.forPeer, user); // destination first, as the core relays
    await this.a.trigger(ha, { ...pb.forPeer, ...(o.peerPatch ?? {}) }, user);
    const listen = ha.figures.listenAddress;
    if (!listen) throw new Error('initiator reported no listen address');
    const port = Number(listen.slice(listen.lastIndexOf(':') + 1));
    return { id, secret, ha, hb, forPeer: pb.forPeer, port, listen };
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** A TCP echo server; connections with allowHalfOpen, so a client's FIN ends only one direction. */
export async function echoServer(): Promise<{ port: number; server: net.Server }> {
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    s.on('error', () => undefined);
    s.pipe(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as net.AddressInfo).port, server };
}

export function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true }, () => resolve(s));
    s.once('error', reject);
  });
}

/** Send `data`, end our side, collect everything until the other side ends. */
export function roundTrip(port: number, data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    const parts: Buffer[] = [];
    s.on('data', (d) => parts.push(d));
    s.on('end', () => resolve(Buffer.concat(parts)));
    s.on('error', reject);
    s.end(data);
  });
}

/** Resolves when the other side has closed the connection (FIN or reset; our sockets allow half-open). */
export function closed(s: net.Socket): Promise<void> {
  return new Promise((r) => {
    if (s.destroyed || s.readableEnded) return r();
    s.once('end', () => r());
    s.once('close', () => r());
    s.resume();
  });
}

export async function until(cond: () => boolean, what: string, timeoutMs = 30_000) {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
}
