import * as net from 'node:net';
import type { PluginLogger } from '@ferry/plugin-sdk';
import { LegDialer } from './leg-dialer';
import { readLine } from './line-reader.util';
import { listenInRange, listenOn, PortRange } from './port-range.util';
import { splice } from './splice.util';
import { formatHostPort } from './target-pattern.util';
import { TunnelFiguresReporter } from './tunnel-figures';
import { sameText } from './tunnel-secret.util';

export interface InitiatorTunnelConfig {
  id: string;
  bindHost: string;
  maxConnections: number;
  idleTimeoutMs: number;
  handshakeTimeoutMs: number;
  /** when set, local applications must send this (and '\n') before any data */
  lanSecret: string | null;
}

export class PortRangeExhaustedError extends Error {}

/**
 * The initiator side (A) of one tunnel: a listening port for local applications; every
 * application connection gets its own authenticated TLS leg to the listener gateway.
 */
export class InitiatorTunnel {
  private readonly server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true, noDelay: true }, (s) => void this.onApp(s));
  private readonly sockets = new Set<net.Socket>();
  private open = 0;
  private closed = false;
  private port = 0;

  constructor(
    private readonly config: InitiatorTunnelConfig,
    private readonly dialer: LegDialer,
    readonly figures: TunnelFiguresReporter,
    private readonly logger: PluginLogger,
  ) {
    this.server.on('error', (e) => this.logger.error('tunnel listener failed', { tunnelId: config.id, error: e.message }));
  }

  get listenAddress(): string {
    return formatHostPort(this.config.bindHost, this.port);
  }

  get listenPort(): number {
    return this.port;
  }

  /** Listen on a free port of the range; throws PortRangeExhaustedError when none is free. */
  async listenInRange(range: PortRange, rangeText: string, inUse: ReadonlySet<number>): Promise<number> {
    const port = await listenInRange(this.server, this.config.bindHost, range, inUse);
    if (port === null) {
      const size = range.high - range.low + 1;
      throw new PortRangeExhaustedError(`no free port in the access point's port range ${rangeText} on ${this.config.bindHost} (all ${size} in use)`);
    }
    return this.listening(port);
  }

  /** After a restart: the same port again, so applications configured with it just reconnect. */
  async listenOnPort(port: number): Promise<number> {
    await listenOn(this.server, this.config.bindHost, port);
    return this.listening(port);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (this.server.listening) await new Promise<void>((r) => this.server.close(() => r()));
  }

  private listening(port: number): number {
    this.port = port;
    this.figures.setListenAddress(this.listenAddress);
    this.figures.event('listening', `applications connect to ${this.listenAddress}`);
    return port;
  }

  private async onApp(app: net.Socket) {
    const peer = `${app.remoteAddress}:${app.remotePort}`;
    app.on('error', () => undefined); // handled by splice once joined; before that a reset just ends it
    if (this.closed) return app.destroy();
    if (this.open >= this.config.maxConnections) {
      this.figures.event('connection-refused', `from ${peer}: more than ${this.config.maxConnections} connections`);
      return app.destroy();
    }
    this.open++;
    this.track(app);
    try {
      if (this.config.lanSecret !== null) await this.checkLanSecret(app);
      const leg = await this.dialer.dial();
      this.track(leg);
      if (this.closed || app.destroyed) {
        leg.destroy();
        throw new Error('closed while connecting');
      }
      this.figures.connectionOpened();
      this.figures.event('connection-opened', `from ${peer}`);
      const r = await splice(app, leg, {
        idleTimeoutMs: this.config.idleTimeoutMs,
        onBytes: (d, n) => this.figures.addBytes(d === 'aToB' ? 'AtoB' : 'BtoA', n),
      });
      this.figures.connectionClosed();
      this.figures.event('connection-closed', `from ${peer}: ${r.aToB} bytes A→B, ${r.bToA} bytes B→A (${r.reason})`);
    } catch (e) {
      app.destroy();
      if (!this.closed) {
        this.logger.warn('tunnel connection refused', { tunnelId: this.config.id, peer, error: (e as Error).message });
        this.figures.event('connection-refused', `from ${peer}: ${(e as Error).message}`);
      }
    } finally {
      this.open--;
    }
  }

  private async checkLanSecret(app: net.Socket) {
    app.setTimeout(this.config.handshakeTimeoutMs, () => app.destroy());
    const sent = await readLine(app, 1024).catch(() => null);
    app.setTimeout(0);
    if (sent === null || !sameText(sent, this.config.lanSecret ?? '')) throw new Error('wrong or missing LAN secret');
  }

  private track(s: net.Socket) {
    this.sockets.add(s);
    s.once('close', () => this.sockets.delete(s));
  }
}
