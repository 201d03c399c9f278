import * as net from 'node:net';

/**
 * A TCP load balancer in front of the core replicas, as a site would put one: each new connection
 * goes to the next backend in turn, and to the one after it when that one refuses (a killed
 * replica). Connections already piped to a backend that dies are closed, as a real balancer does.
 * Gateways use it as their core URL, so their progress reports reach whichever replica is up.
 */
export class TcpBalancer {
  private server: net.Server | null = null;
  private next = 0;
  private readonly sockets = new Set<net.Socket>();
  backends: number[] = [];

  constructor(readonly port: number) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = net.createServer((client) => this.route(client));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.port, '127.0.0.1', () => resolve());
    });
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private route(client: net.Socket, tried = 0): void {
    this.track(client);
    client.pause();
    if (this.backends.length === 0 || tried >= this.backends.length) return void client.destroy();
    const port = this.backends[this.next++ % this.backends.length];
    const upstream = net.connect(port, '127.0.0.1');
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      this.track(upstream);
      client.pipe(upstream).pipe(client);
      client.resume();
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    upstream.once('error', () => {
      if (!connected) this.route(client, tried + 1); // refused: the next replica
    });
  }

  private track(s: net.Socket): void {
    if (this.sockets.has(s)) return;
    this.sockets.add(s);
    s.once('close', () => this.sockets.delete(s));
  }
}
