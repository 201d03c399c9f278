import * as crypto from 'node:crypto';
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { PluginLogger } from '@ferry/plugin-sdk';
import { line, MAX_HANDSHAKE_LINE } from './leg-protocol';
import { parseJsonLine, readLine } from './line-reader.util';
import { listenOn } from './port-range.util';
import { TlsIdentity } from './tls-cert.util';
import { answerMatches, challengeAnswer, NONCE_BYTES } from './tunnel-secret.util';
import { ListenerTunnel } from './listener-tunnel';

/**
 * The listener side's one TLS data port. Every leg gets a fresh nonce; only an initiator that
 * knows the tunnel's secret can answer it, and since the nonce is new for every connection a
 * captured answer is worthless on the next one. Legs that pass are handed to their tunnel.
 */
export class DataPortServer {
  private readonly tunnels = new Map<string, ListenerTunnel>();
  /**
   * Every TCP connection, from accept on (a client that stalls in the TLS handshake is cut by
   * handshakeTimeout), so that stop() can close them all and server.close() returns.
   */
  private readonly connections = new Set<net.Socket>();
  private server: tls.Server | null = null;
  private port = 0;

  constructor(
    private readonly identity: TlsIdentity,
    private readonly handshakeTimeoutMs: number,
    private readonly logger: PluginLogger,
  ) {}

  get fingerprint(): string {
    return this.identity.fingerprint;
  }

  get listeningPort(): number {
    return this.port;
  }

  async start(host: string, port: number): Promise<void> {
    // noDelay everywhere: the handshake lines and the applications' small writes (a psql query, a
    // keystroke) must not wait for Nagle's algorithm and a delayed ACK on the far side
    const server = tls.createServer({
      cert: this.identity.certPem,
      key: this.identity.keyPem,
      allowHalfOpen: true,
      minVersion: 'TLSv1.3',
      handshakeTimeout: this.handshakeTimeoutMs,
      noDelay: true,
    });
    server.on('connection', (raw: net.Socket) => {
      this.connections.add(raw);
      raw.once('close', () => this.connections.delete(raw));
    });
    server.on('secureConnection', (leg) => void this.onLeg(leg));
    // failed TLS handshakes (scanners, a wrong client) are not worth more than a debug line
    server.on('tlsClientError', (e) => this.logger.debug('tunnel data port: TLS handshake failed', { error: e.message }));
    await listenOn(server, host, port);
    this.server = server;
    this.port = (server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    for (const t of this.tunnels.values()) t.close();
    this.tunnels.clear();
    for (const c of this.connections) c.destroy();
    this.connections.clear();
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  register(tunnel: ListenerTunnel) {
    this.tunnels.get(tunnel.config.id)?.close();
    this.tunnels.set(tunnel.config.id, tunnel);
  }

  unregister(tunnelId: string) {
    this.tunnels.get(tunnelId)?.close();
    this.tunnels.delete(tunnelId);
  }

  has(tunnelId: string): boolean {
    return this.tunnels.has(tunnelId);
  }

  private async onLeg(leg: tls.TLSSocket) {
    const peer = `${leg.remoteAddress}:${leg.remotePort}`;
    leg.on('error', () => undefined); // a reset during the handshake is the peer's business
    leg.setTimeout(this.handshakeTimeoutMs, () => leg.destroy());
    const nonce = crypto.randomBytes(NONCE_BYTES);
    leg.write(line({ v: 1, nonce: nonce.toString('base64') }));
    let msg: Record<string, unknown>;
    try {
      msg = parseJsonLine(await readLine(leg, MAX_HANDSHAKE_LINE));
    } catch {
      return leg.destroy();
    }
    const tunnelId = typeof msg.tunnel === 'string' ? msg.tunnel : '';
    const tunnel = this.tunnels.get(tunnelId);
    if (!tunnel) {
      this.logger.warn('tunnel leg for an unknown or closed tunnel', { peer });
      return leg.end(line({ ok: false, error: 'unknown or closed tunnel' }));
    }
    if (!answerMatches(challengeAnswer(tunnel.secret, nonce, tunnelId), msg.answer)) {
      tunnel.refused(peer, 'wrong answer to the challenge');
      return leg.end(line({ ok: false, error: 'authentication failed' }));
    }
    leg.setTimeout(0);
    tunnel.accept(leg, peer);
  }
}
