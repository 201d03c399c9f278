import { utils, type FileEntryWithStats, type InputAttributes, type SFTPWrapper, type Stats } from 'ssh2';

const { OPEN_MODE, STATUS_CODE } = utils.sftp;

/** Flags for a fresh part file, and for continuing one (no truncation). */
export const OPEN_FRESH = OPEN_MODE.WRITE | OPEN_MODE.CREAT | OPEN_MODE.TRUNC;
export const OPEN_CONTINUE = OPEN_MODE.WRITE | OPEN_MODE.CREAT;

/** ssh2's callback SFTP client as promises, plus the few idioms the uploader needs. */
export class SftpClient {
  constructor(readonly raw: SFTPWrapper) {}

  /** attributes, or null when the path does not exist */
  stat(p: string): Promise<Stats | null> {
    return new Promise((resolve, reject) =>
      this.raw.lstat(p, (err, st) => (err ? (isNoSuchFile(err) ? resolve(null) : reject(err)) : resolve(st))),
    );
  }

  /** every entry of a folder, or null when it does not exist */
  list(p: string): Promise<FileEntryWithStats[] | null> {
    return new Promise((resolve, reject) =>
      this.raw.readdir(p, (err, list) => (err ? (isNoSuchFile(err) ? resolve(null) : reject(err)) : resolve(list))),
    );
  }

  open(p: string, flags: number, mode = 0o644): Promise<Buffer> {
    return new Promise((resolve, reject) => this.raw.open(p, flags, { mode }, (err, h) => (err ? reject(err) : resolve(h))));
  }

  write(h: Buffer, buf: Buffer, position: number): Promise<void> {
    return new Promise((resolve, reject) => this.raw.write(h, buf, 0, buf.length, position, (err) => (err ? reject(err) : resolve())));
  }

  fsetstat(h: Buffer, attrs: InputAttributes): Promise<void> {
    return new Promise((resolve, reject) => this.raw.fsetstat(h, attrs, (err) => (err ? reject(err) : resolve())));
  }

  setstat(p: string, attrs: InputAttributes): Promise<void> {
    return new Promise((resolve, reject) => this.raw.setstat(p, attrs, (err) => (err ? reject(err) : resolve())));
  }

  close(h: Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.raw.close(h, (err) => (err ? reject(err) : resolve())));
  }

  mkdir(p: string): Promise<void> {
    return new Promise((resolve, reject) => this.raw.mkdir(p, { mode: 0o755 }, (err) => (err ? reject(err) : resolve())));
  }

  unlink(p: string): Promise<void> {
    return new Promise((resolve, reject) => this.raw.unlink(p, (err) => (err ? reject(err) : resolve())));
  }

  /**
   * Moves `from` over `to`, replacing it. Uses posix-rename@openssh.com when the server offers it;
   * plain SFTP v3 RENAME refuses an existing target on OpenSSH, so then the target is removed first.
   */
  async replace(from: string, to: string): Promise<void> {
    const sftp = this.raw as SFTPWrapper & { _extensions?: Record<string, string> };
    if (sftp._extensions?.['posix-rename@openssh.com'] === '1') {
      return new Promise((resolve, reject) => sftp.ext_openssh_rename(from, to, (err) => (err ? reject(err) : resolve())));
    }
    const rename = () => new Promise<void>((resolve, reject) => sftp.rename(from, to, (err) => (err ? reject(err) : resolve())));
    try {
      await rename();
    } catch (e) {
      const existing = await this.stat(to);
      if (!existing || existing.isDirectory()) throw e;
      await this.unlink(to);
      await rename();
    }
  }
}

export function isNoSuchFile(err: unknown): boolean {
  return (err as { code?: unknown })?.code === STATUS_CODE.NO_SUCH_FILE;
}
