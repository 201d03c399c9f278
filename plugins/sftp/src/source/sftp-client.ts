import { utils, type FileEntryWithStats, type InputAttributes, type SFTPWrapper, type Stats } from 'ssh2';
import { batchWritesUntilImmediate, socketOfSftp } from '../socket-batching.util';

const { OPEN_MODE, STATUS_CODE } = utils.sftp;

/** ssh2 (client and server) accepts SFTP packets up to 256 KiB; a WRITE's header takes < 2 KiB of it */
const SSH2_MAX_PACKET = 256 * 1024;
const WRITE_OVERHEAD = 2 * 1024;
/** the identification string of ferry's embedded server (server/embedded-ssh.server.ts: ident) */
const FERRY_SERVER_IDENT = /^SSH-2\.0-ferry-sftp/;

/** Flags for a fresh part file, and for continuing one (no truncation). */
export const OPEN_FRESH = OPEN_MODE.WRITE | OPEN_MODE.CREAT | OPEN_MODE.TRUNC;
export const OPEN_CONTINUE = OPEN_MODE.WRITE | OPEN_MODE.CREAT;

/**
 * ssh2's callback SFTP client as promises, plus the few idioms the uploader needs. ssh2 silently
 * drops a request sent on a closed channel (its callback never runs), so this wrapper tracks the
 * channel and fails every pending and later call with CONNECTION_LOST once it is gone.
 */
export class SftpClient {
  private closed = false;
  private readonly pending = new Set<(e: Error) => void>();

  constructor(readonly raw: SFTPWrapper) {
    raw.on('close', () => this.markClosed());
    raw.on('end', () => this.markClosed());
    // ssh2 emits 'error' on the channel for a malformed server packet; unheard, it would crash the gateway
    raw.on('error', () => this.markClosed());
    liftWriteLimitForFerryServer(raw);
  }

  /** The most data one WRITE request carries to this server (bigger writes are split). */
  get maxWriteLength(): number {
    return (this.raw as unknown as SftpInternals)._maxWriteLen;
  }

  markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    const rejecters = [...this.pending];
    this.pending.clear();
    for (const reject of rejecters) reject(connectionLost());
  }

  /** attributes, or null when the path does not exist */
  async stat(p: string): Promise<Stats | null> {
    try {
      return await this.call<Stats>((cb) => this.raw.lstat(p, cb));
    } catch (e) {
      if (isNoSuchFile(e)) return null;
      throw e;
    }
  }

  /** every entry of a folder, or null when it does not exist */
  async list(p: string): Promise<FileEntryWithStats[] | null> {
    try {
      return await this.call<FileEntryWithStats[]>((cb) => this.raw.readdir(p, cb));
    } catch (e) {
      if (isNoSuchFile(e)) return null;
      throw e;
    }
  }

  open(p: string, flags: number, mode = 0o644): Promise<Buffer> {
    return this.call<Buffer>((cb) => this.raw.open(p, flags, { mode }, cb));
  }

  /**
   * Writes `buf` at `position`. ssh2 would send the pieces of a write bigger than the server's
   * limit one after another, each waiting for the previous reply (a 256 KiB chunk to a 32 KiB
   * server = 8 round trips in a row); here they all go out at once. `buf` may be reused as soon
   * as this returns: ssh2 copies it into its request synchronously.
   */
  write(h: Buffer, buf: Buffer, position: number): Promise<void> {
    const max = this.maxWriteLength;
    if (buf.length <= max) return this.call((cb) => this.raw.write(h, buf, 0, buf.length, position, cb));
    const pieces: Array<Promise<void>> = [];
    for (let off = 0; off < buf.length; off += max) {
      const n = Math.min(max, buf.length - off);
      pieces.push(this.call((cb) => this.raw.write(h, buf, off, n, position + off, cb)));
    }
    return Promise.all(pieces).then(() => undefined);
  }

  fsetstat(h: Buffer, attrs: InputAttributes): Promise<void> {
    return this.call((cb) => this.raw.fsetstat(h, attrs, cb));
  }

  setstat(p: string, attrs: InputAttributes): Promise<void> {
    return this.call((cb) => this.raw.setstat(p, attrs, cb));
  }

  close(h: Buffer): Promise<void> {
    return this.call((cb) => this.raw.close(h, cb));
  }

  mkdir(p: string): Promise<void> {
    return this.call((cb) => this.raw.mkdir(p, { mode: 0o755 }, cb));
  }

  unlink(p: string): Promise<void> {
    return this.call((cb) => this.raw.unlink(p, cb));
  }

  /**
   * Moves `from` over `to`, replacing it. Uses posix-rename@openssh.com when the server offers it;
   * plain SFTP v3 RENAME refuses an existing target on OpenSSH, so then the target is removed first.
   */
  async replace(from: string, to: string): Promise<void> {
    const sftp = this.raw as SFTPWrapper & { _extensions?: Record<string, string> };
    if (sftp._extensions?.['posix-rename@openssh.com'] === '1') {
      return this.call((cb) => sftp.ext_openssh_rename(from, to, cb));
    }
    const rename = () => this.call((cb) => sftp.rename(from, to, cb));
    try {
      await rename();
    } catch (e) {
      const existing = await this.stat(to);
      if (!existing || existing.isDirectory()) throw e;
      await this.unlink(to);
      await rename();
    }
  }

  private call<T = void>(start: (cb: (err: Error | null | undefined, value?: T) => void) => void): Promise<T> {
    if (this.closed) return Promise.reject(connectionLost());
    // the requests of one loop iteration (many files at once) leave in one system call
    batchWritesUntilImmediate(socketOfSftp(this.raw));
    return new Promise<T>((resolve, reject) => {
      const onLost = (e: Error) => reject(e);
      this.pending.add(onLost);
      try {
        start((err, value) => {
          this.pending.delete(onLost);
          if (err) reject(err);
          else resolve(value as T);
        });
      } catch (e) {
        this.pending.delete(onLost);
        reject(e);
      }
    });
  }
}

/** ssh2's private fields this client reads or sets (checked at run time, they are not typed). */
interface SftpInternals {
  _maxWriteLen: number;
  _isOpenSSH?: boolean;
  _protocol?: { _remoteIdentRaw?: Buffer };
}

/**
 * ssh2 assumes a server it does not recognize (anything but OpenSSH and dropbear) takes only
 * ~32 KiB per WRITE, so every 256 KiB chunk became 8 requests and 8 replies. ferry's embedded
 * server is ssh2's own server, which accepts 256 KiB packets like OpenSSH: recognize it by its
 * identification string and allow the same. Measured: about 2x the throughput on loopback
 * (docs/performance.md).
 */
function liftWriteLimitForFerryServer(raw: SFTPWrapper): void {
  const s = raw as unknown as SftpInternals;
  const ident = s._protocol?._remoteIdentRaw?.toString('latin1') ?? '';
  if (!s._isOpenSSH && FERRY_SERVER_IDENT.test(ident) && typeof s._maxWriteLen === 'number') {
    s._maxWriteLen = Math.max(s._maxWriteLen, SSH2_MAX_PACKET - WRITE_OVERHEAD);
  }
}

function connectionLost(): Error {
  return Object.assign(new Error('the SFTP connection is closed'), { code: STATUS_CODE.CONNECTION_LOST });
}

export function isNoSuchFile(err: unknown): boolean {
  return (err as { code?: unknown })?.code === STATUS_CODE.NO_SUCH_FILE;
}
