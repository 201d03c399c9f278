import { Client, type AuthenticationType, type AuthHandlerMiddleware } from 'ssh2';
import { MechanismError } from '@ferry/plugin-sdk';
import { fingerprintOfBlob, sameSecret } from '../keys/ssh-key.util';
import type { DestinationPeer } from './peer-params';
import { SftpClient } from './sftp-client';
import { toUploadError } from './upload-error.util';

export interface SftpConnection {
  sftp: SftpClient;
  close(): void;
}

/**
 * Opens an SFTP session to the destination: the host key must match the fingerprint pinned in the
 * researcher-forwarded parameters (anything else is AUTH_FAILED, nothing is sent), then the
 * ephemeral key (publickey) and the grant token (password, second step) authenticate.
 */
export function connectSftp(peer: DestinationPeer, privateKey: string, signal: AbortSignal): Promise<SftpConnection> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new MechanismError('CANCELLED', 'stopped before connecting'));
    const client = new Client();
    let hostKeyMismatch = false;
    let settled = false;
    let step = 0;
    const fail = (e: MechanismError) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      client.end();
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
        client.on('close', () => sftp.markClosed());
        resolve({ sftp, close: () => client.end() });
      });
    });
    client.connect({
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
