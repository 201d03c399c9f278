import * as tls from 'node:tls';
import { certFingerprint } from './tls-cert.util';
import { challengeAnswer } from './tunnel-secret.util';
import { line, ListenerPeer, MAX_HANDSHAKE_LINE } from './leg-protocol';
import { parseJsonLine, readLine } from './line-reader.util';

export class LegRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LegRefusedError';
  }
}

/**
 * The initiator's side of one leg: dial the listener's data port over TLS, check its certificate
 * against the pinned fingerprint before sending a byte, answer its challenge, wait for the target.
 * Keeps the last TLS session so that later legs resume it (an abbreviated handshake, no certificate
 * exchange); a resumed session can only come from a server we verified earlier, since only that
 * server can decrypt its ticket.
 */
export class LegDialer {
  private session: Buffer | undefined;

  constructor(
    private readonly peer: ListenerPeer,
    private readonly secret: Buffer,
    private readonly handshakeTimeoutMs: number,
  ) {}

  async dial(): Promise<tls.TLSSocket> {
    const leg = await this.connectPinned();
    leg.setTimeout(this.handshakeTimeoutMs, () => leg.destroy(new Error('handshake timed out')));
    try {
      const hello = parseJsonLine(await readLine(leg, MAX_HANDSHAKE_LINE));
      if (hello.v !== 1 || typeof hello.nonce !== 'string') throw new LegRefusedError('the listener spoke an unknown protocol');
      const nonce = Buffer.from(hello.nonce, 'base64');
      const answer = challengeAnswer(this.secret, nonce, this.peer.tunnelId).toString('base64');
      leg.write(line({ tunnel: this.peer.tunnelId, answer }));
      const result = parseJsonLine(await readLine(leg, MAX_HANDSHAKE_LINE));
      if (result.ok !== true) throw new LegRefusedError(`the listener refused: ${String(result.error ?? 'no reason given')}`);
      leg.setTimeout(0);
      return leg;
    } catch (e) {
      leg.destroy();
      throw e;
    }
  }

  private connectPinned(): Promise<tls.TLSSocket> {
    return new Promise((resolve, reject) => {
      // allowHalfOpen is honoured by tls.connect (passed to the TLSSocket) but missing from @types/node
      const options: tls.ConnectionOptions & { allowHalfOpen: boolean } = {
        host: this.peer.dataHost,
        port: this.peer.dataPort,
        // trust comes from the pinned fingerprint below, not from a CA
        rejectUnauthorized: false,
        session: this.session,
        allowHalfOpen: true,
        minVersion: 'TLSv1.3',
      };
      const leg = tls.connect(options);
      leg.setNoDelay(true);
      leg.on('session', (s: Buffer) => (this.session = s));
      // errors after the handshake are handled by whoever owns the leg then (splice); this keeps a
      // late error in the gap between owners from crashing the gateway
      leg.on('error', () => undefined);
      const fail = (e: Error) => {
        leg.destroy();
        reject(e);
      };
      leg.once('error', fail);
      leg.setTimeout(this.handshakeTimeoutMs, () => fail(new Error('TLS handshake timed out')));
      leg.once('secureConnect', () => {
        leg.removeListener('error', fail);
        if (!leg.isSessionReused()) {
          const cert = leg.getPeerCertificate(true);
          const seen = cert && cert.raw ? certFingerprint(cert.raw) : 'none';
          if (seen !== this.peer.certFingerprint) {
            this.session = undefined;
            return fail(new LegRefusedError(`the listener's TLS certificate (sha256 ${seen}) does not match the pinned fingerprint`));
          }
        }
        resolve(leg);
      });
    });
  }
}
