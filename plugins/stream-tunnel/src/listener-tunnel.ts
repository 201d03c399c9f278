import * as net from 'node:net';
import type { PluginLogger } from '@ferry/plugin-sdk';
import { splice } from './splice.util';
import { HostPort, formatHostPort } from './target-pattern.util';
import { TunnelFiguresReporter } from './tunnel-figures';
import { line } from './leg-protocol';

export interface ListenerTunnelConfig {
  id: string;
  secret: Buffer;
  target: HostPort;
  maxConnections: number;
  idleTimeoutMs: number;
}

/**
 * The listener side (B) of one tunnel: legs that passed the challenge arrive here from the data
 * port; each is joined to a fresh connection to the target.
 */
export class ListenerTunnel {
  private readonly sockets = new Set<net.Socket>();
  private open = 0;
  private closed = false;

  constructor(
    readonly config: ListenerTunnelConfig,
    readonly figures: TunnelFiguresReporter,
    private readonly logger: PluginLogger,
  ) {}

  get secret(): Buffer {
    return this.config.secret;
  }

  /** A peer failed the challenge: count it as an event; the data port closes the leg. */
  refused(peer: string, why: string) {
    this.logger.warn('tunnel leg refused', { tunnelId: this.config.id, peer, why });
    this.figures.event('connection-refused', `from ${peer}: ${why}`);
  }

  accept(leg: net.Socket, peer: string) {
    if (this.closed) return refuse(leg, 'the tunnel is closed');
    if (this.open >= this.config.maxConnections) {
      this.figures.event('connection-refused', `from ${peer}: more than ${this.config.maxConnections} connections`);
      return refuse(leg, `the tunnel allows at most ${this.config.maxConnections} connections`);
    }
    this.open++;
    const { host, port } = this.config.target;
    const targetName = formatHostPort(host, port);
    const target = net.connect({ host, port, allowHalfOpen: true, noDelay: true });
    target.on('error', () => undefined); // splice handles errors once joined; before that, see below
    this.track(leg);
    this.track(target);
    let joined = false;
    target.once('connect', () => {
      if (this.closed || leg.destroyed) {
        this.open--;
        return target.destroy();
      }
      joined = true;
      leg.write(line({ ok: true }));
      this.figures.connectionOpened();
      this.figures.event('connection-opened', `from ${peer} to ${targetName}`);
      void splice(leg, target, {
        idleTimeoutMs: this.config.idleTimeoutMs,
        onBytes: (d, n) => this.figures.addBytes(d === 'aToB' ? 'AtoB' : 'BtoA', n),
      }).then((r) => {
        this.open--;
        this.figures.connectionClosed();
        this.figures.event('connection-closed', `from ${peer} to ${targetName}: ${r.aToB} bytes A→B, ${r.bToA} bytes B→A (${r.reason})`);
      });
    });
    target.once('error', (e: NodeJS.ErrnoException) => {
      if (joined) return;
      this.open--;
      this.figures.event('connection-refused', `from ${peer}: target ${targetName} unreachable (${e.code ?? e.message})`);
      refuse(leg, `target ${targetName} unreachable (${e.code ?? e.message})`);
    });
  }

  /** Close every connection of this tunnel; new legs are refused from now on. */
  close() {
    this.closed = true;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  private track(s: net.Socket) {
    this.sockets.add(s);
    s.once('close', () => this.sockets.delete(s));
  }
}

function refuse(leg: net.Socket, error: string) {
  if (!leg.destroyed) leg.end(line({ ok: false, error }));
}
