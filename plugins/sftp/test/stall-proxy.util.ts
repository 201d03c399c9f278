import * as net from 'node:net';

/**
 * A loopback TCP relay in front of the destination's SSH server, for tests that need to see when
 * the source connects or need a destination that goes silent. While stalled it passes nothing in
 * either direction, a close included, like a network that stopped delivering; `release()` drops
 * the connections it holds (what they carried is lost) and lets new ones through again.
 */
export class StallProxy {
  private server: net.Server | null = null;
  private readonly pairs = new Set<[net.Socket, net.Socket]>();
  private readonly waiting: Array<() => void> = [];
  private stalled = false;
  /** connections accepted so far */
  connections = 0;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<number> {
    this.server = net.createServer({ allowHalfOpen: true }, (client) => this.relay(client));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this.port;
  }

  /** resolves when the next connection arrives (the source is about to start the SSH handshake) */
  nextConnection(): Promise<void> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  stall(): void {
    this.stalled = true;
    for (const pair of this.pairs) for (const s of pair) s.pause();
  }

  /** drops every connection held (nothing more of it is delivered) and passes new ones */
  release(): void {
    this.stalled = false;
    for (const pair of this.pairs) for (const s of pair) s.destroy();
    this.pairs.clear();
  }

  async stop(): Promise<void> {
    this.release();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private relay(client: net.Socket): void {
    this.connections++;
    const upstream = net.connect({ ...this.target, allowHalfOpen: true });
    const pair: [net.Socket, net.Socket] = [client, upstream];
    this.pairs.add(pair);
    for (const s of pair) {
      s.on('error', () => undefined);
      if (this.stalled) s.pause();
    }
    const pipe = (from: net.Socket, to: net.Socket) => {
      from.on('data', (d) => (this.stalled ? undefined : to.write(d)));
      from.on('end', () => (this.stalled ? undefined : to.end()));
      from.on('close', () => {
        if (this.stalled) return;
        to.destroy();
        this.pairs.delete(pair);
      });
    };
    pipe(client, upstream);
    pipe(upstream, client);
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}
