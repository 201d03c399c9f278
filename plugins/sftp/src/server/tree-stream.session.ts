import { closeSync, constants as C, futimesSync, lstatSync, mkdirSync, openSync, readdirSync, renameSync, utimesSync, writeSync } from 'node:fs';
import type { ServerChannel } from 'ssh2';
import type { PluginLogger } from '@ferry/plugin-sdk';
import {
  FrameParser,
  FrameReader,
  FrameType,
  FrameWriter,
  MAX_FRAME_PAYLOAD,
  STATE_BYTES,
  STATE_FINAL_FILE,
  STATE_FINAL_OTHER,
  STATE_PART_FILE,
  TreeProtocolError,
  errorFrame,
  type Frame,
} from '../tree-stream/tree-protocol';
import { JailError, type PathJail } from './path-jail';
import { PART_SUFFIX } from './sftp-session';

/** The part of the grant a tree stream needs; supplied by the server per connection. */
export interface TreeStreamGuard {
  /** false once the grant is revoked or expired: the stream ends with an ERROR */
  isLive(): boolean;
  /** the grant died under an open stream */
  onDead(): void;
  /** records part files before they are created (one journal write for a whole batch) */
  notePartFiles(rels: string[]): void;
  countWrite(bytes: number): void;
}

/** how long one batch may hold the event loop before yielding (other transfers, HTTP) */
const BATCH_BUDGET_MS = 20;
/** FILE frames whose part files are journalled together */
const FILES_PER_BATCH = 256;
/** queued bytes above which the channel stops reading (ssh2 then stops opening its window) */
const QUEUE_HIGH_WATER = 8 * 1024 * 1024;

interface FileRecord {
  rel: string;
  mode: number;
  atime: number;
  mtime: number;
  data: Buffer;
}

/**
 * Serves one `ferry-tree@1` channel (tree-stream/tree-protocol.ts) inside a PathJail. The frames
 * that arrive within one event-loop iteration are handled together with synchronous file-system
 * calls: a file costs open (O_NOFOLLOW), a /proc check of the descriptor, write, futimes, close
 * and rename, with no thread-pool dispatch per call, and one ACK answers the whole batch. The
 * guarantees are the SFTP path's: every path confined and checked for symlinks, the data written
 * as `<name>.ferry-part` (journalled before it exists, so cancel removes it) and renamed into
 * place only when complete, times set before the rename. Any refusal ends the stream with an
 * ERROR frame and nothing more is written.
 */
export class TreeStreamSession {
  private readonly parser = new FrameParser(MAX_FRAME_PAYLOAD);
  private queue: Frame[] = [];
  private queuedBytes = 0;
  private scheduled = false;
  private paused = false;
  private closed = false;

  constructor(
    private readonly channel: ServerChannel,
    private readonly jail: PathJail,
    private readonly guard: TreeStreamGuard,
    private readonly logger: PluginLogger,
  ) {
    channel.on('data', (d: Buffer) => this.onData(d));
    channel.on('close', () => (this.closed = true));
    channel.on('error', () => (this.closed = true));
  }

  /** Batches run synchronously, so none is ever half-done when this is asked (revoke). */
  async drain(): Promise<void> {
    this.closed = true;
  }

  private onData(d: Buffer): void {
    if (this.closed) return;
    let frames: Frame[];
    try {
      frames = this.parser.push(d);
    } catch (e) {
      return this.fail(e);
    }
    for (const f of frames) {
      this.queue.push(f);
      this.queuedBytes += f.payload.length;
    }
    if (this.queuedBytes > QUEUE_HIGH_WATER && !this.paused) {
      this.paused = true;
      this.channel.pause();
    }
    if (!this.scheduled && this.queue.length) {
      this.scheduled = true;
      setImmediate(() => this.process());
    }
  }

  private process(): void {
    this.scheduled = false;
    if (this.closed) return;
    if (!this.guard.isLive()) {
      this.fail(new TreeProtocolError('PERMISSION_DENIED', 'the grant is no longer valid'));
      this.guard.onDead();
      return;
    }
    const out: Buffer[] = [];
    const started = Date.now();
    let failure: unknown = null;
    try {
      while (this.queue.length && Date.now() - started < BATCH_BUDGET_MS) {
        if (this.queue[0].type === FrameType.FILE) {
          let n = 0;
          while (n < this.queue.length && n < FILES_PER_BATCH && this.queue[n].type === FrameType.FILE) n++;
          const run = this.take(n);
          out.push(ack(this.writeFiles(run)));
          continue;
        }
        out.push(this.answer(this.take(1)[0]));
      }
    } catch (e) {
      failure = e;
    }
    if (out.length) this.send(out.length === 1 ? out[0] : Buffer.concat(out));
    if (failure !== null) return this.fail(failure);
    if (this.queue.length) {
      this.scheduled = true;
      setImmediate(() => this.process());
    } else if (this.paused) {
      this.paused = false;
      this.channel.resume();
    }
  }

  private take(n: number): Frame[] {
    const frames = this.queue.splice(0, n);
    for (const f of frames) this.queuedBytes -= f.payload.length;
    return frames;
  }

  private answer(f: Frame): Buffer {
    const r = new FrameReader(f.payload);
    switch (f.type) {
      case FrameType.DIRS:
        return this.dirs(r);
      case FrameType.QUERY:
        return this.query(r);
      case FrameType.TIMES:
        return this.times(r);
      default:
        throw new TreeProtocolError('PROTOCOL_ERROR', `unknown frame type ${f.type}`);
    }
  }

  /** Creates missing folders in the order given (parents first); answers created or existed. */
  private dirs(r: FrameReader): Buffer {
    const n = r.count(2 + 1 + 4);
    const entries: Array<{ rel: string; mode: number }> = [];
    for (let i = 0; i < n; i++) entries.push({ rel: r.path(), mode: r.u32() });
    r.end();
    const w = new FrameWriter(FrameType.DIRS_OK, 4 + n).u32(n);
    for (const e of entries) {
      const jp = this.jail.resolveEntry(e.rel);
      this.jail.assertNoSymlinksSync(jp, true);
      let created = 1;
      try {
        mkdirSync(jp.real, { mode: e.mode & 0o777 || 0o755 });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        if (!lstatSync(jp.real).isDirectory()) {
          throw new TreeProtocolError('REMOTE_ERROR', `'${e.rel}' exists at the destination and is not a folder`);
        }
        created = 0;
      }
      w.u8(created);
    }
    return w.done();
  }

  /**
   * What the destination holds for each path (the quick check's inputs): one readdir per folder
   * named, and an lstat only for names that are there (a new folder costs one call).
   */
  private query(r: FrameReader): Buffer {
    const n = r.count(2 + 1);
    const rels: string[] = [];
    for (let i = 0; i < n; i++) rels.push(r.path());
    r.end();
    const listings = new Map<string, Set<string>>();
    const w = new FrameWriter(FrameType.STATES, 4 + n * STATE_BYTES).u32(n);
    for (const rel of rels) {
      const cut = rel.lastIndexOf('/');
      const parentRel = cut < 0 ? '' : rel.slice(0, cut);
      const name = rel.slice(cut + 1);
      let names = listings.get(parentRel);
      if (!names) {
        const parent = this.jail.resolve(parentRel);
        this.jail.assertNoSymlinksSync(parent, true);
        names = new Set(readdirOrEmpty(parent.real));
        listings.set(parentRel, names);
      }
      let flags = 0;
      let size = 0;
      let mtime = 0;
      let partSize = 0;
      if (names.has(name)) {
        const st = lstatSync(this.jail.resolveEntry(rel).real, { throwIfNoEntry: false });
        if (st?.isFile()) {
          flags |= STATE_FINAL_FILE;
          size = st.size;
          mtime = Math.floor(st.mtimeMs / 1000);
        } else if (st) flags |= STATE_FINAL_OTHER;
      }
      if (names.has(name + PART_SUFFIX)) {
        const st = lstatSync(this.jail.resolveEntry(rel + PART_SUFFIX).real, { throwIfNoEntry: false });
        if (st?.isFile()) {
          flags |= STATE_PART_FILE;
          partSize = st.size;
        }
      }
      w.u8(flags).u48(size).u32(mtime).u48(partSize);
    }
    return w.done();
  }

  /** Folder times, set last (children first, as the source orders them); links are refused. */
  private times(r: FrameReader): Buffer {
    const n = r.count(2 + 1 + 8);
    const entries: Array<{ rel: string; atime: number; mtime: number }> = [];
    for (let i = 0; i < n; i++) entries.push({ rel: r.path(), atime: r.u32(), mtime: r.u32() });
    r.end();
    for (const e of entries) {
      const jp = this.jail.resolveEntry(e.rel);
      this.jail.assertNoSymlinksSync(jp, true);
      const st = lstatSync(jp.real, { throwIfNoEntry: false });
      if (st?.isDirectory()) utimesSync(jp.real, e.atime, e.mtime);
    }
    return new FrameWriter(FrameType.TIMES_OK, 0).done();
  }

  /** Writes a run of FILE frames; returns how many are in place (all, or it throws). */
  private writeFiles(run: Frame[]): number {
    const files: FileRecord[] = run.map((f) => {
      const r = new FrameReader(f.payload);
      const rel = r.path();
      const mode = r.u32();
      const atime = r.u32();
      const mtime = r.u32();
      const data = r.bytes(r.u48());
      r.end();
      return { rel, mode, atime, mtime, data };
    });
    // every path is checked before anything of the batch is written
    const targets = files.map((f) => {
      const final = this.jail.resolveEntry(f.rel);
      const part = this.jail.resolveEntry(f.rel + PART_SUFFIX);
      this.jail.assertNoSymlinksSync(part, false);
      return { final, part };
    });
    this.guard.notePartFiles(targets.map((t) => t.part.rel));
    for (let i = 0; i < files.length; i++) {
      const f = files[i];
      const { final, part } = targets[i];
      // O_NOFOLLOW: a planted link named like the part file is refused, never written through
      const fd = openSync(part.real, C.O_WRONLY | C.O_CREAT | C.O_TRUNC | C.O_NOFOLLOW, f.mode & 0o777 || 0o644);
      try {
        this.jail.assertDescriptorInsideSync(fd);
        let done = 0;
        while (done < f.data.length) done += writeSync(fd, f.data, done, f.data.length - done, done);
        futimesSync(fd, f.atime, f.mtime);
      } finally {
        closeSync(fd);
      }
      // rename replaces a link at the final name itself; it never writes through it
      renameSync(part.real, final.real);
      this.guard.countWrite(f.data.length);
    }
    return files.length;
  }

  private send(buf: Buffer): void {
    if (this.closed) return;
    try {
      this.channel.write(buf);
    } catch {
      this.closed = true;
    }
  }

  private fail(e: unknown): void {
    if (this.closed) return;
    const { code, message } = describe(e);
    if (code === 'REMOTE_ERROR' && !(e as NodeJS.ErrnoException)?.code) {
      this.logger.warn('tree stream failed unexpectedly', { error: String(e) });
    }
    this.send(errorFrame(code, message));
    this.closed = true;
    this.queue = [];
    this.queuedBytes = 0;
    try {
      this.channel.end();
    } catch {
      // already gone
    }
  }
}

function ack(count: number): Buffer {
  return new FrameWriter(FrameType.ACK, 4).u32(count).done();
}

function readdirOrEmpty(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw e;
  }
}

/** The ERROR frame's code and message for what went wrong (never a host path). */
function describe(e: unknown): { code: string; message: string } {
  if (e instanceof TreeProtocolError) return { code: e.code, message: e.message };
  if (e instanceof JailError) return { code: 'BAD_PATH', message: e.message };
  const code = (e as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return { code: 'DISK_FULL', message: 'ENOSPC: no space left on device' };
    case 'ELOOP':
      return { code: 'BAD_PATH', message: 'symlinks are not followed' };
    case 'EACCES':
    case 'EPERM':
      return { code: 'PERMISSION_DENIED', message: `the destination refused a write (${code})` };
    case 'EISDIR':
      return { code: 'REMOTE_ERROR', message: 'a folder stands where a file should go' };
    case 'ENOENT':
    case 'ENOTDIR':
      return { code: 'REMOTE_ERROR', message: `a folder of the tree is missing at the destination (${code})` };
    default:
      return { code: 'REMOTE_ERROR', message: code ? `the destination failed (${code})` : 'the destination failed' };
  }
}
