import * as net from 'node:net';
import { Client, type AuthenticationType, type AuthHandlerMiddleware, type ClientChannel } from 'ssh2';
import { MechanismError } from '@ferry/plugin-sdk';
import { fingerprintOfBlob, sameSecret } from '../keys/ssh-key.util';
import type { DestinationPeer } from './peer-params';
import { SftpClient } from './sftp-client';
import { toUploadError } from './upload-error.util';

export interface SftpConnection {
  sftp: SftpClient;
  /**
   * Fails every pending and later SFTP call at once, says goodbye, and destroys the socket if the
   * destination has not closed it within CLOSE_GRACE_MS. Never waits for the destination.
   */
  close(): void;
  /** Opens another subsystem channel on the same connection (ferry's tree stream); rejects when the server refuses it. */
  subsystem(name: string): Promise<ClientChannel>;
}

/** how long a closed connection waits for the destination to hang up before its socket is destroyed */
const CLOSE_GRACE_MS = 2000;

/**
 * Opens an SFTP session to the destination: the host key must match the fingerprint pinned in the
 * researcher-forwarded parameters (anything else is AUTH_FAILED, nothing is sent), then the
 * ephemeral key (publickey) and the grant token (password, second step) authenticate.
 *
 * Stopping must not depend on the destination: a peer that went silent never answers our
 * DISCONNECT nor pending requests, and ssh2's end()/destroy() do nothing once its socket stopped
 * being writable (its keepalive stops then too). So this function owns the socket, fails pending
 * calls itself on close, and destroys the socket when the peer does not hang up in time.
 */
export function connectSftp(peer: DestinationPeer, privateKey: string, signal: AbortSignal): Promise<SftpConnection> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new MechanismError('CANCELLED', 'stopped before connecting'));
    const client = new Client();
    const sock = net.connect({ host: peer.host, port: peer.port });
    let hostKeyMismatch = false;
    let settled = false;
    let step = 0;
    const fail = (e: MechanismError) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      // nothing useful was said yet: drop the socket now (also while TCP or the handshake is pending)
      client.end();
      sock.destroy();
      reject(e);
    };
    const onAbort = () => fail(new MechanismError('CANCELLED', 'stopped while connecting'));
    signal.addEventListener('abort', onAbort, { once: true });

    const authHandler: AuthHandlerMiddleware = (methodsLeft: AuthenticationType[], partialSuccess: boolean, next) => {
      step++;
      if (step === 1) return next({ type: 'publickey', username: peer.username, key: privateKey });
      if (step === 2 && partialSuccess && methodsLeft?.includes('password')) {
        return next({ type: 'password', username: peer.username, password: peer.grantToken });
      }
      return next(false as never);
    };

    client.on('error', (e: Error) => {
      if (hostKeyMismatch) {
        return fail(new MechanismError('AUTH_FAILED', "the destination's host key does not match the pinned fingerprint", 'fatal'));
      }
      fail(toUploadError(e, 'connecting'));
    });
    client.on('close', () => fail(new MechanismError('PEER_UNREACHABLE', 'the destination closed the connection', 'retry')));
    client.on('ready', () => {
      client.sftp((err, raw) => {
        if (err) return fail(toUploadError(err, 'opening the SFTP session'));
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        const sftp = new SftpClient(raw);
        // after 'end' ssh2 parses nothing more, so no pending call can be answered any longer
        client.on('end', () => sftp.markClosed());
        client.on('close', () => sftp.markClosed());
        let closing = false;
        const close = () => {
          if (closing) return;
          closing = true;
          sftp.markClosed();
          client.end();
          if (sock.destroyed) return;
          const timer = setTimeout(() => sock.destroy(), CLOSE_GRACE_MS);
          timer.unref();
          sock.once('close', () => clearTimeout(timer));
        };
        const subsystem = (name: string) =>
          new Promise<ClientChannel>((ok, no) => {
            if (closing) return no(new MechanismError('PEER_UNREACHABLE', 'the connection is closed', 'retry'));
            client.subsys(name, (e, channel) => (e ? no(e) : ok(channel)));
          });
        resolve({ sftp, close, subsystem });
      });
    });
    client.connect({
      sock,
      host: peer.host,
      port: peer.port,
      username: peer.username,
      authHandler,
      hostVerifier: (key: Buffer) => {
        const ok = sameSecret(fingerprintOfBlob(key), peer.hostKeyFingerprint);
        if (!ok) hostKeyMismatch = true;
        return ok;
      },
      readyTimeout: 30_000,
      keepaliveInterval: 15_000,
      keepaliveCountMax: 4,
    });
  });
}
