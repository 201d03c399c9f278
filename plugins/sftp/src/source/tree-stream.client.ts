import type { ClientChannel } from 'ssh2';
import { MechanismError, type MechanismErrorCode } from '@ferry/plugin-sdk';
import {
  FrameParser,
  FrameReader,
  FrameType,
  FrameWriter,
  MAX_FRAME_PAYLOAD,
  STATE_BYTES,
  STATE_FINAL_FILE,
  STATE_PART_FILE,
  pathBytes,
  type Frame,
} from '../tree-stream/tree-protocol';
import type { RemoteFileState } from './file-uploader';

type Expectation =
  | { answer: FrameType.DIRS_OK | FrameType.STATES | FrameType.TIMES_OK; resolve(payload: Buffer): void; reject(e: Error): void }
  | { answer: 'ack'; done(): void; lost(): void };

/** bytes of entries per DIRS / QUERY / TIMES frame (well under the server's frame limit) */
const ENTRY_BYTES_PER_FRAME = 256 * 1024;
/** coalesced FILE frames are handed to ssh2 in writes of about this size (one write per frame was one SSH packet per file) */
const FLUSH_BYTES = 128 * 1024;

const CODES: ReadonlySet<string> = new Set<MechanismErrorCode>(['BAD_PATH', 'PERMISSION_DENIED', 'DISK_FULL', 'REMOTE_ERROR']);

/**
 * The source's end of a `ferry-tree@1` channel (tree-stream/tree-protocol.ts). Requests are
 * written in order and the answers matched in order; FILE frames are coalesced into larger
 * writes and acknowledged in batches. When the channel ends or the server sends ERROR, every
 * pending and later call fails (the same rule as SftpClient: a run never hangs).
 */
export class TreeStreamClient {
  private readonly parser = new FrameParser(MAX_FRAME_PAYLOAD);
  private readonly expected: Expectation[] = [];
  private pendingWrites: Buffer[] = [];
  private pendingBytes = 0;
  private flushScheduled = false;
  private unacked = 0;
  private idle: Array<{ resolve(): void; reject(e: Error): void }> = [];
  /** set once the stream is unusable; every later call throws it */
  failure: MechanismError | null = null;

  constructor(private readonly channel: ClientChannel) {
    channel.on('data', (d: Buffer) => this.onData(d));
    channel.on('close', () => this.lose(new MechanismError('PEER_UNREACHABLE', 'the tree stream to the destination closed', 'retry')));
    channel.on('error', (e: Error) => this.lose(new MechanismError('PEER_UNREACHABLE', `the tree stream failed: ${e.message}`, 'retry')));
    channel.stderr?.resume();
  }

  /** Creates the folders (parents first); true for each one this call created. */
  async dirs(list: Array<{ rel: string; mode: number }>): Promise<boolean[]> {
    const out: boolean[] = [];
    const answers = chunks(list, (d) => d.rel).map((part) => {
      const enc = part.map((d) => Buffer.from(d.rel, 'utf8'));
      const w = new FrameWriter(FrameType.DIRS, 4 + enc.reduce((n, e) => n + pathBytes(e) + 4, 0)).u32(part.length);
      part.forEach((d, i) => w.path(enc[i]).u32(d.mode));
      return this.request(w.done(), FrameType.DIRS_OK);
    });
    for (const payload of await Promise.all(answers)) {
      const r = new FrameReader(payload);
      const n = r.u32();
      for (let i = 0; i < n; i++) out.push(r.u8() === 1);
    }
    if (out.length !== list.length) throw this.protocolError('DIRS answer of the wrong length');
    return out;
  }

  /** What the destination holds at each path (final file's size and mtime, part file's size). */
  async query(rels: string[]): Promise<RemoteFileState[]> {
    const out: RemoteFileState[] = [];
    const answers = chunks(rels, (p) => p).map((part) => {
      const enc = part.map((p) => Buffer.from(p, 'utf8'));
      const w = new FrameWriter(FrameType.QUERY, 4 + enc.reduce((n, e) => n + pathBytes(e), 0)).u32(part.length);
      for (const e of enc) w.path(e);
      return this.request(w.done(), FrameType.STATES);
    });
    for (const payload of await Promise.all(answers)) {
      const r = new FrameReader(payload);
      const n = r.count(STATE_BYTES);
      for (let i = 0; i < n; i++) {
        const flags = r.u8();
        const size = r.u48();
        const mtime = r.u32();
        const partSize = r.u48();
        out.push({
          final: flags & STATE_FINAL_FILE ? { size, mtime } : undefined,
          partSize: flags & STATE_PART_FILE ? partSize : undefined,
        });
      }
    }
    if (out.length !== rels.length) throw this.protocolError('STATES answer of the wrong length');
    return out;
  }

  /** Sets folder times in the order given (children first). */
  async times(list: Array<{ rel: string; atime: number; mtime: number }>): Promise<void> {
    await Promise.all(
      chunks(list, (d) => d.rel).map((part) => {
        const enc = part.map((d) => Buffer.from(d.rel, 'utf8'));
        const w = new FrameWriter(FrameType.TIMES, 4 + enc.reduce((n, e) => n + pathBytes(e) + 8, 0)).u32(part.length);
        part.forEach((d, i) => w.path(enc[i]).u32(d.atime).u32(d.mtime));
        return this.request(w.done(), FrameType.TIMES_OK);
      }),
    );
  }

  /**
   * A FILE frame whose data `fill` writes in place (read straight from disk into the frame).
   * `onAck` runs when the destination has it in place under its final name, `onLost` instead
   * when the stream ends first (so whatever the sender holds for the file can be released).
   */
  sendFile(
    rel: Buffer,
    f: { mode: number; atime: number; mtime: number; size: number },
    fill: (region: Buffer) => void,
    onAck: () => void,
    onLost: () => void,
  ): void {
    if (this.failure) throw this.failure;
    const w = new FrameWriter(FrameType.FILE, pathBytes(rel) + 4 + 4 + 4 + 6 + f.size)
      .path(rel)
      .u32(f.mode)
      .u32(f.atime)
      .u32(f.mtime)
      .u48(f.size);
    fill(w.reserve(f.size));
    this.expected.push({ answer: 'ack', done: onAck, lost: onLost });
    this.unacked++;
    this.write(w.done());
  }

  /** Resolves when every file sent so far is acknowledged. */
  allAcknowledged(): Promise<void> {
    this.flush();
    if (this.failure) return Promise.reject(this.failure);
    if (this.unacked === 0) return Promise.resolve();
    return new Promise((resolve, reject) => this.idle.push({ resolve, reject }));
  }

  /** Hands coalesced frames to ssh2 now (the sender calls this before it yields). */
  flush(): void {
    if (this.pendingBytes === 0 || this.failure) return;
    const buf = this.pendingWrites.length === 1 ? this.pendingWrites[0] : Buffer.concat(this.pendingWrites, this.pendingBytes);
    this.pendingWrites = [];
    this.pendingBytes = 0;
    this.channel.write(buf);
  }

  close(): void {
    this.flush();
    this.lose(new MechanismError('CANCELLED', 'the tree stream was closed'));
    this.channel.end();
  }

  private write(frame: Buffer): void {
    this.pendingWrites.push(frame);
    this.pendingBytes += frame.length;
    if (this.pendingBytes >= FLUSH_BYTES) return this.flush();
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.flush();
      });
    }
  }

  private request(frame: Buffer, answer: FrameType.DIRS_OK | FrameType.STATES | FrameType.TIMES_OK): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.expected.push({ answer, resolve, reject });
      this.write(frame);
      this.flush();
    });
  }

  private onData(d: Buffer): void {
    if (this.failure) return;
    let frames: Frame[];
    try {
      frames = this.parser.push(d);
    } catch (e) {
      return this.lose(this.protocolError((e as Error).message));
    }
    for (const f of frames) {
      if (this.failure) return;
      if (f.type === FrameType.ERROR) return this.lose(refusal(f.payload));
      if (f.type === FrameType.ACK) {
        const n = f.payload.length === 4 ? f.payload.readUInt32BE(0) : -1;
        for (let i = 0; i < n; i++) {
          const head = this.expected.shift();
          if (!head || head.answer !== 'ack') return this.lose(this.protocolError('an ACK for files that were not sent'));
          this.unacked--;
          head.done();
        }
        if (n < 0) return this.lose(this.protocolError('malformed ACK'));
        if (this.unacked === 0) for (const w of this.idle.splice(0)) w.resolve();
        continue;
      }
      const head = this.expected.shift();
      if (!head || head.answer !== f.type) return this.lose(this.protocolError(`unexpected answer of type ${f.type}`));
      head.resolve(f.payload);
    }
  }

  private lose(e: MechanismError): void {
    if (this.failure) return;
    this.failure = e;
    for (const x of this.expected.splice(0)) {
      if (x.answer === 'ack') x.lost();
      else x.reject(e);
    }
    for (const w of this.idle.splice(0)) w.reject(e);
    this.pendingWrites = [];
    this.pendingBytes = 0;
  }

  private protocolError(what: string): MechanismError {
    return new MechanismError('REMOTE_ERROR', `the destination's tree stream broke the protocol: ${what}`, 'no-retry');
  }
}

/** The server's ERROR frame as a MechanismError (a full disk is fatal; refusals are not retried). */
function refusal(payload: Buffer): MechanismError {
  let code = 'REMOTE_ERROR';
  let message = 'the destination refused the tree stream';
  try {
    const r = new FrameReader(payload);
    code = r.str();
    message = r.str();
  } catch {
    // keep the generic words
  }
  const known = (CODES.has(code) ? code : 'REMOTE_ERROR') as MechanismErrorCode;
  if (known === 'DISK_FULL') return new MechanismError('DISK_FULL', 'the destination disk is full (tree stream)', 'fatal');
  return new MechanismError(known, `the destination refused the tree stream: ${message}`, known === 'PERMISSION_DENIED' ? 'fatal' : 'no-retry');
}

/** Splits entries into frames of at most ENTRY_BYTES_PER_FRAME (a path is up to 4 KiB). */
function chunks<T>(list: T[], pathOf: (e: T) => string): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const e of list) {
    const n = Buffer.byteLength(pathOf(e)) + 16;
    if (current.length && bytes + n > ENTRY_BYTES_PER_FRAME) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(e);
    bytes += n;
  }
  if (current.length) out.push(current);
  return out;
}
