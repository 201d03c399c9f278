import { constants as C, promises as fs, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import { utils, type Attributes, type SFTPWrapper } from 'ssh2';
import type { PluginLogger } from '@ferry/plugin-sdk';
import { batchWritesUntilImmediate, socketOfSftp } from '../socket-batching.util';
import { JailError, type JailedPath, type PathJail } from './path-jail';
import { attrsOf, longnameOf } from './sftp-attrs.util';
import { SftpRequestError, statusOf } from './sftp-status.util';

const { OPEN_MODE, STATUS_CODE } = utils.sftp;

/** The part of the grant a session needs; supplied by the server per connection. */
export interface SessionGuard {
  /** false once the grant is revoked or expired: the request is refused and the connection closed */
  isLive(): boolean;
  /** the grant died under an open session */
  onDead(): void;
  /** called before a '*.ferry-part' file is created, so cancel can find and remove it */
  notePartFile(rel: string): Promise<void>;
  countWrite(bytes: number): void;
}

export const PART_SUFFIX = '.ferry-part';
const MAX_HANDLES = 1024;
// stays well inside the 256 KiB packets SFTP clients accept, header included
const MAX_READ = 64 * 1024;
const READDIR_BATCH = 128;
const READDIR_LSTAT_CONCURRENCY = 32;

type OpenHandle =
  | { kind: 'file'; fh: FileHandle; jp: JailedPath }
  | { kind: 'dir'; jp: JailedPath; entries: Array<{ filename: string; longname: string; attrs: Attributes }> | null };

/**
 * Serves one SFTP channel confined to a PathJail. Implements what an uploader needs (and what
 * ordinary clients such as OpenSSH's sftp send): REALPATH, STAT/LSTAT/FSTAT, OPEN, READ, WRITE,
 * CLOSE, MKDIR, RMDIR, REMOVE, RENAME (+ posix-rename@openssh.com), SETSTAT/FSETSTAT,
 * OPENDIR/READDIR. SYMLINK and READLINK are refused: links are never created nor followed.
 * RENAME replaces an existing target (POSIX semantics) so an upload can finish with one call.
 * File contents are readable only for '*.ferry-part' files: a grant is for delivering data.
 */
export class SftpSession {
  private readonly handles = new Map<number, OpenHandle>();
  private nextHandle = 1;
  private pending = 0;
  private drained: Array<() => void> = [];
  private closed = false;

  constructor(
    private readonly sftp: SFTPWrapper,
    private readonly jail: PathJail,
    private readonly guard: SessionGuard,
    private readonly logger: PluginLogger,
  ) {
    sftp.on('OPEN', (id, p, flags, attrs) => this.run(id, () => this.open(id, p, flags, attrs)));
    sftp.on('WRITE', (id, h, offset, data) => this.run(id, () => this.write(id, h, offset, data)));
    sftp.on('READ', (id, h, offset, len) => this.run(id, () => this.read(id, h, offset, len)));
    sftp.on('FSTAT', (id, h) => this.run(id, async () => this.out.attrs(id, attrsOf(await this.file(h).fh.stat()))));
    sftp.on('FSETSTAT', (id, h, attrs) => this.run(id, () => this.fsetstat(id, h, attrs)));
    sftp.on('CLOSE', (id, h) => this.run(id, () => this.close(id, h)));
    sftp.on('OPENDIR', (id, p) => this.run(id, () => this.opendir(id, p)));
    sftp.on('READDIR', (id, h) => this.run(id, () => this.readdir(id, h)));
    sftp.on('LSTAT', (id, p) => this.run(id, () => this.stat(id, p, false)));
    sftp.on('STAT', (id, p) => this.run(id, () => this.stat(id, p, true)));
    sftp.on('SETSTAT', (id, p, attrs) => this.run(id, () => this.setstat(id, p, attrs)));
    sftp.on('REMOVE', (id, p) => this.run(id, () => this.remove(id, p)));
    sftp.on('RMDIR', (id, p) => this.run(id, () => this.rmdir(id, p)));
    sftp.on('MKDIR', (id, p, attrs) => this.run(id, () => this.mkdir(id, p, attrs)));
    sftp.on('RENAME', (id, from, to) => this.run(id, () => this.rename(id, from, to)));
    sftp.on('REALPATH', (id, p) => this.run(id, async () => this.realpath(id, p)));
    sftp.on('READLINK', (id) => this.reply(id, STATUS_CODE.OP_UNSUPPORTED, 'symlinks are not followed here'));
    sftp.on('SYMLINK', (id) => this.reply(id, STATUS_CODE.PERMISSION_DENIED, 'symlinks may not be created'));
    sftp.on('EXTENDED', (id, name, data) => this.run(id, () => this.extended(id, name, data)));
    sftp.on('close', () => void this.dispose());
  }

  /** Resolves once every request already started has finished (used before removing part files). */
  async drain(): Promise<void> {
    if (this.pending === 0) return;
    await new Promise<void>((resolve) => this.drained.push(resolve));
  }

  /** Closes every open file; called when the channel closes. */
  async dispose(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.drain();
    const handles = [...this.handles.values()];
    this.handles.clear();
    await Promise.all(handles.map((h) => (h.kind === 'file' ? h.fh.close().catch(() => undefined) : undefined)));
  }

  private run(id: number, fn: () => Promise<void>): void {
    if (this.closed) return;
    if (!this.guard.isLive()) {
      this.reply(id, STATUS_CODE.PERMISSION_DENIED, 'the grant is no longer valid');
      this.guard.onDead();
      return;
    }
    this.pending++;
    fn()
      .catch((e: unknown) => {
        const st = statusOf(e);
        if (!(e instanceof JailError) && !(e instanceof SftpRequestError) && !(e as NodeJS.ErrnoException)?.code) {
          this.logger.warn('sftp request failed unexpectedly', { error: String(e) });
        }
        this.reply(id, st.code, st.message);
      })
      .finally(() => {
        if (--this.pending === 0) for (const r of this.drained.splice(0)) r();
      });
  }

  /**
   * The SFTP channel for an answer: the socket is corked until the loop's check phase, so the
   * answers to the requests finished in one loop iteration leave in one writev (ssh2 would send
   * each in its own system call; thousands of small files are mostly such answers).
   */
  private get out(): SFTPWrapper {
    batchWritesUntilImmediate(socketOfSftp(this.sftp));
    return this.sftp;
  }

  private reply(id: number, code: number, message?: string): void {
    try {
      this.out.status(id, code, message);
    } catch {
      // channel already closed: nobody is waiting for this answer
    }
  }

  private file(h: Buffer): Extract<OpenHandle, { kind: 'file' }> {
    const entry = h.length === 4 ? this.handles.get(h.readUInt32BE(0)) : undefined;
    if (!entry || entry.kind !== 'file') throw new SftpRequestError(STATUS_CODE.FAILURE, 'invalid handle');
    return entry;
  }

  private addHandle(entry: OpenHandle): Buffer {
    if (this.handles.size >= MAX_HANDLES) throw new SftpRequestError(STATUS_CODE.FAILURE, 'too many open handles');
    const n = this.nextHandle++;
    this.handles.set(n, entry);
    const buf = Buffer.alloc(4);
    buf.writeUInt32BE(n, 0);
    return buf;
  }

  private async open(id: number, p: string, flags: number, attrs: Attributes): Promise<void> {
    const jp = this.jail.resolveEntry(p);
    await this.jail.assertNoSymlinks(jp);
    const wantsRead = (flags & OPEN_MODE.READ) !== 0;
    const wantsWrite = (flags & (OPEN_MODE.WRITE | OPEN_MODE.APPEND)) !== 0;
    if (wantsRead && !jp.rel.endsWith(PART_SUFFIX)) {
      throw new JailError('this grant may write files, not read them');
    }
    let fsFlags = wantsRead && wantsWrite ? C.O_RDWR : wantsWrite ? C.O_WRONLY : C.O_RDONLY;
    if (flags & OPEN_MODE.APPEND) fsFlags |= C.O_APPEND;
    if (flags & OPEN_MODE.CREAT) fsFlags |= C.O_CREAT;
    if (flags & OPEN_MODE.TRUNC) fsFlags |= C.O_TRUNC;
    if (flags & OPEN_MODE.EXCL) fsFlags |= C.O_EXCL;
    fsFlags |= C.O_NOFOLLOW;
    if (flags & OPEN_MODE.CREAT && jp.rel.endsWith(PART_SUFFIX)) await this.guard.notePartFile(jp.rel);
    const mode = attrs?.mode !== undefined ? attrs.mode & 0o777 : 0o644;
    const fh = await fs.open(jp.real, fsFlags, mode);
    try {
      await this.jail.assertDescriptorInside(fh.fd);
      if ((await fh.stat()).isDirectory()) throw new SftpRequestError(STATUS_CODE.FAILURE, 'is a folder');
      this.out.handle(id, this.addHandle({ kind: 'file', fh, jp }));
    } catch (e) {
      await fh.close().catch(() => undefined);
      throw e;
    }
  }

  private async write(id: number, h: Buffer, offset: number, data: Buffer): Promise<void> {
    const { fh } = this.file(h);
    let done = 0;
    while (done < data.length) {
      const { bytesWritten } = await fh.write(data, done, data.length - done, offset + done);
      done += bytesWritten;
    }
    this.guard.countWrite(data.length);
    this.reply(id, STATUS_CODE.OK);
  }

  private async read(id: number, h: Buffer, offset: number, len: number): Promise<void> {
    const { fh } = this.file(h);
    const buf = Buffer.allocUnsafe(Math.min(len, MAX_READ));
    const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
    if (bytesRead === 0) this.reply(id, STATUS_CODE.EOF);
    else this.out.data(id, buf.subarray(0, bytesRead));
  }

  private async fsetstat(id: number, h: Buffer, attrs: Attributes): Promise<void> {
    const { fh } = this.file(h);
    if (typeof attrs.size === 'number') await fh.truncate(attrs.size);
    if (typeof attrs.mode === 'number') await fh.chmod(attrs.mode & 0o777);
    if (typeof attrs.mtime === 'number') await fh.utimes(attrs.atime ?? attrs.mtime, attrs.mtime);
    this.reply(id, STATUS_CODE.OK);
  }

  private async setstat(id: number, p: string, attrs: Attributes): Promise<void> {
    const jp = this.jail.resolve(p);
    await this.jail.assertNoSymlinks(jp);
    if (!jp.rel && (typeof attrs.size === 'number' || typeof attrs.mode === 'number')) {
      throw new JailError("the granted folder's own permissions are not the grant's to change");
    }
    if (typeof attrs.size === 'number') await fs.truncate(jp.real, attrs.size);
    if (typeof attrs.mode === 'number') await fs.chmod(jp.real, attrs.mode & 0o777);
    if (typeof attrs.mtime === 'number') await fs.utimes(jp.real, attrs.atime ?? attrs.mtime, attrs.mtime);
    this.reply(id, STATUS_CODE.OK);
  }

  private async close(id: number, h: Buffer): Promise<void> {
    const n = h.length === 4 ? h.readUInt32BE(0) : -1;
    const entry = this.handles.get(n);
    if (!entry) throw new SftpRequestError(STATUS_CODE.FAILURE, 'invalid handle');
    this.handles.delete(n);
    if (entry.kind === 'file') await entry.fh.close();
    this.reply(id, STATUS_CODE.OK);
  }

  private async opendir(id: number, p: string): Promise<void> {
    const jp = this.jail.resolve(p);
    await this.jail.assertNoSymlinks(jp);
    const st = await fs.lstat(jp.real);
    if (!st.isDirectory()) throw new SftpRequestError(STATUS_CODE.FAILURE, 'not a folder');
    this.out.handle(id, this.addHandle({ kind: 'dir', jp, entries: null }));
  }

  private async readdir(id: number, h: Buffer): Promise<void> {
    const entry = h.length === 4 ? this.handles.get(h.readUInt32BE(0)) : undefined;
    if (!entry || entry.kind !== 'dir') throw new SftpRequestError(STATUS_CODE.FAILURE, 'invalid handle');
    if (!entry.entries) {
      const names = ['.', '..', ...(await fs.readdir(entry.jp.real))];
      // lstat: a symlink is listed as a link, never described by its target. Several at once: one
      // after another, a folder of thousands of files kept a re-sync waiting for seconds
      const stats = new Array<Stats | null>(names.length);
      let next = 0;
      const worker = async () => {
        while (next < names.length) {
          const i = next++;
          stats[i] = await fs.lstat(path.join(entry.jp.real, names[i])).catch(() => null);
        }
      };
      await Promise.all(Array.from({ length: Math.min(READDIR_LSTAT_CONCURRENCY, names.length) }, worker));
      entry.entries = [];
      names.forEach((name, i) => {
        const st = stats[i];
        if (st) entry.entries!.push({ filename: name, longname: longnameOf(name, st), attrs: attrsOf(st) });
      });
    }
    if (entry.entries.length === 0) return this.reply(id, STATUS_CODE.EOF);
    this.out.name(id, entry.entries.splice(0, READDIR_BATCH));
  }

  private async stat(id: number, p: string, follow: boolean): Promise<void> {
    const jp = this.jail.resolve(p);
    // STAT would follow a final symlink: refuse it rather than describe something outside
    await this.jail.assertNoSymlinks(jp, !follow);
    this.out.attrs(id, attrsOf(await fs.lstat(jp.real)));
  }

  private async remove(id: number, p: string): Promise<void> {
    const jp = this.jail.resolveEntry(p);
    await this.jail.assertNoSymlinks(jp, true);
    this.jail.forget(jp);
    await fs.unlink(jp.real);
    this.reply(id, STATUS_CODE.OK);
  }

  private async rmdir(id: number, p: string): Promise<void> {
    const jp = this.jail.resolveEntry(p);
    await this.jail.assertNoSymlinks(jp);
    this.jail.forget(jp);
    await fs.rmdir(jp.real);
    this.reply(id, STATUS_CODE.OK);
  }

  private async mkdir(id: number, p: string, attrs: Attributes): Promise<void> {
    const jp = this.jail.resolveEntry(p);
    await this.jail.assertNoSymlinks(jp);
    await fs.mkdir(jp.real, { mode: attrs?.mode !== undefined ? attrs.mode & 0o777 : 0o755 });
    this.reply(id, STATUS_CODE.OK);
  }

  private async rename(id: number, from: string, to: string): Promise<void> {
    const src = this.jail.resolveEntry(from);
    const dst = this.jail.resolveEntry(to);
    await this.jail.assertNoSymlinks(src);
    // the target may be a link: rename replaces the link itself, it never writes through it
    await this.jail.assertNoSymlinks(dst, true);
    this.jail.forget(src);
    this.jail.forget(dst);
    await fs.rename(src.real, dst.real);
    this.reply(id, STATUS_CODE.OK);
  }

  private realpath(id: number, p: string): void {
    const jp = this.jail.resolve(p);
    this.out.name(id, [{ filename: jp.virtual, longname: jp.virtual, attrs: {} as Attributes }]);
  }

  private async extended(id: number, name: string, data: Buffer | undefined): Promise<void> {
    if (name === 'posix-rename@openssh.com' && data) {
      const [from, to] = readStrings(data, 2);
      if (from === undefined || to === undefined) throw new SftpRequestError(STATUS_CODE.BAD_MESSAGE, 'malformed request');
      return this.rename(id, from, to);
    }
    this.reply(id, STATUS_CODE.OP_UNSUPPORTED, `unsupported extension ${name}`);
  }
}

/** SSH strings (uint32 length + bytes) from an EXTENDED request's payload. */
function readStrings(buf: Buffer, count: number): Array<string | undefined> {
  const out: Array<string | undefined> = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 4 > buf.length) return [...out, undefined];
    const len = buf.readUInt32BE(p);
    p += 4;
    if (p + len > buf.length) return [...out, undefined];
    out.push(buf.toString('utf8', p, p + len));
    p += len;
  }
  return out;
}
