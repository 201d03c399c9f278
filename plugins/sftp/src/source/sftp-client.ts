import { utils, type FileEntryWithStats, type InputAttributes, type SFTPWrapper, type Stats } from 'ssh2';

const { OPEN_MODE, STATUS_CODE } = utils.sftp;

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

  write(h: Buffer, buf: Buffer, position: number): Promise<void> {
    return this.call((cb) => this.raw.write(h, buf, 0, buf.length, position, cb));
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

function connectionLost(): Error {
  return Object.assign(new Error('the SFTP connection is closed'), { code: STATUS_CODE.CONNECTION_LOST });
}

export function isNoSuchFile(err: unknown): boolean {
  return (err as { code?: unknown })?.code === STATUS_CODE.NO_SUCH_FILE;
}
