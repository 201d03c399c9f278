import type { Socket } from 'node:net';

const corked = new WeakSet<Socket>();

/**
 * Holds a socket's writes until the event loop's check phase, so that what one loop iteration
 * produces (ssh2 writes every SSH packet on its own: a reply to each of many SFTP requests, the
 * 32 KiB packets of a chunk) leaves in one writev instead of one system call each. Costs at most
 * one loop iteration of latency. Measured on many small files: see docs/performance.md.
 */
export function batchWritesUntilImmediate(sock: Socket | undefined): void {
  if (!sock || corked.has(sock) || typeof sock.cork !== 'function' || sock.destroyed) return;
  corked.add(sock);
  sock.cork();
  setImmediate(() => {
    corked.delete(sock);
    sock.uncork();
  });
}

/** The socket under an ssh2 SFTP object (client or server side); ssh2 keeps it private. */
export function socketOfSftp(sftp: unknown): Socket | undefined {
  return (sftp as { _client?: { _sock?: Socket } })?._client?._sock;
}
