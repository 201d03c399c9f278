/**
 * The ferry tree stream (`ferry-tree@1`): an SSH subsystem of ferry's embedded server that carries
 * a whole tree of small files as framed records on one channel, with no round trip per file.
 * Shared by both ends; docs/mechanism-sftp.md describes it.
 *
 * Every message is a frame: type (u8), payload length (u32 BE), payload. Requests go from the
 * source, in order; the server handles them in order and answers each in order, so neither end
 * needs request ids:
 *
 * | source -> server | payload | answer |
 * |---|---|---|
 * | DIRS  | u32 n, n × (path, u32 mode) | DIRS_OK: u32 n, n × u8 (0 existed, 1 created) |
 * | QUERY | u32 n, n × path | STATES: u32 n, n × (u8 flags, u48 size, u32 mtime, u48 part size) |
 * | FILE  | path, u32 mode, u32 atime, u32 mtime, u48 size, size bytes | ACK: u32 count (batched: several FILEs per ACK) |
 * | TIMES | u32 n, n × (path, u32 atime, u32 mtime) | TIMES_OK: empty |
 *
 * ERROR (server -> source): code string, message string; the server closes the channel after it.
 * A path is a u16 byte length and UTF-8 bytes, relative to the grant's folder, already normalized
 * (no '', '.', '..' segments, no leading '/', no NUL): the server refuses anything else.
 */
export const TREE_SUBSYSTEM = 'ferry-tree@1';

export const enum FrameType {
  DIRS = 0x01,
  QUERY = 0x02,
  FILE = 0x03,
  TIMES = 0x04,
  DIRS_OK = 0x81,
  STATES = 0x82,
  ACK = 0x83,
  TIMES_OK = 0x84,
  ERROR = 0xff,
}

/** files up to this size go through the stream (bigger ones over SFTP, several requests in flight) */
export const STREAM_FILE_MAX = 1024 * 1024;
/** the largest payload either end accepts: one whole stream file plus its header */
export const MAX_FRAME_PAYLOAD = STREAM_FILE_MAX + 8 * 1024;
export const FRAME_HEADER = 5;
export const MAX_PATH_BYTES = 4096;
const MAX_SEGMENT_BYTES = 255;

/** STATES flags */
export const STATE_FINAL_FILE = 1;
export const STATE_PART_FILE = 2;
export const STATE_FINAL_OTHER = 4;
export const STATE_BYTES = 1 + 6 + 4 + 6;

/** A malformed or refused frame; `code` goes into the ERROR frame (a MechanismError code). */
export class TreeProtocolError extends Error {
  constructor(
    readonly code: 'BAD_PATH' | 'PROTOCOL_ERROR' | 'PERMISSION_DENIED' | 'DISK_FULL' | 'REMOTE_ERROR',
    message: string,
  ) {
    super(message);
    this.name = 'TreeProtocolError';
  }
}

/**
 * Why a path is not acceptable in a record, or null. Stricter than SFTP's lexical normalization
 * on purpose: the source only ever sends normalized relative paths, so anything else is an attack
 * or a bug, and is refused rather than interpreted.
 */
export function badRecordPath(p: string): string | null {
  if (p.length === 0) return 'empty path';
  if (p.includes('\0')) return 'path contains a NUL byte';
  if (p.startsWith('/')) return `absolute path: ${p}`;
  if (Buffer.byteLength(p) > MAX_PATH_BYTES) return 'path too long';
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.' || seg === '..') return `path is not normalized or leaves the folder: ${p}`;
    if (Buffer.byteLength(seg) > MAX_SEGMENT_BYTES) return 'path segment too long';
  }
  return null;
}

/** Builds one frame's payload piece by piece (sizes known up front keep it one allocation). */
export class FrameWriter {
  private readonly buf: Buffer;
  private pos = FRAME_HEADER;

  constructor(type: FrameType, payloadBytes: number) {
    this.buf = Buffer.allocUnsafe(FRAME_HEADER + payloadBytes);
    this.buf.writeUInt8(type, 0);
    this.buf.writeUInt32BE(payloadBytes, 1);
  }

  u8(v: number): this {
    this.pos = this.buf.writeUInt8(v, this.pos);
    return this;
  }

  u32(v: number): this {
    this.pos = this.buf.writeUInt32BE(v >>> 0, this.pos);
    return this;
  }

  u48(v: number): this {
    this.pos = this.buf.writeUIntBE(v, this.pos, 6);
    return this;
  }

  path(encoded: Buffer): this {
    this.pos = this.buf.writeUInt16BE(encoded.length, this.pos);
    this.pos += encoded.copy(this.buf, this.pos);
    return this;
  }

  str(s: string): this {
    return this.path(Buffer.from(s, 'utf8').subarray(0, 0xffff));
  }

  /** a region of the frame to fill in place (file data read straight into the frame) */
  reserve(n: number): Buffer {
    const region = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return region;
  }

  done(): Buffer {
    if (this.pos !== this.buf.length) throw new Error(`frame size mismatch: wrote ${this.pos} of ${this.buf.length}`);
    return this.buf;
  }
}

/** bytes a path takes in a frame */
export const pathBytes = (encoded: Buffer) => 2 + encoded.length;

/** Reads a frame's payload; every read past the end is a PROTOCOL_ERROR. */
export class FrameReader {
  private pos = 0;

  constructor(private readonly buf: Buffer) {}

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new TreeProtocolError('PROTOCOL_ERROR', 'truncated frame');
  }

  u8(): number {
    this.need(1);
    return this.buf.readUInt8(this.pos++);
  }

  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  u48(): number {
    this.need(6);
    const v = this.buf.readUIntBE(this.pos, 6);
    this.pos += 6;
    return v;
  }

  str(): string {
    this.need(2);
    const n = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    this.need(n);
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  /** a path, refused unless it is a normalized relative path */
  path(): string {
    const p = this.str();
    const why = badRecordPath(p);
    if (why) throw new TreeProtocolError('BAD_PATH', why);
    return p;
  }

  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  /** a count of entries each at least `minBytes` long (refuses counts the payload cannot hold) */
  count(minBytes: number): number {
    const n = this.u32();
    if (n * minBytes > this.buf.length - this.pos) throw new TreeProtocolError('PROTOCOL_ERROR', 'entry count exceeds the frame');
    return n;
  }

  end(): void {
    if (this.pos !== this.buf.length) throw new TreeProtocolError('PROTOCOL_ERROR', 'trailing bytes in frame');
  }
}

export interface Frame {
  type: number;
  payload: Buffer;
}

/**
 * Splits a byte stream into frames. A length over `maxPayload` is refused before any of it is
 * buffered (an oversized header cannot make the other end allocate).
 */
export class FrameParser {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly maxPayload: number) {}

  get pendingBytes(): number {
    return this.buffered;
  }

  push(data: Buffer): Frame[] {
    this.chunks.push(data);
    this.buffered += data.length;
    const out: Frame[] = [];
    while (this.buffered >= FRAME_HEADER) {
      const head = this.peek(FRAME_HEADER);
      const len = head.readUInt32BE(1);
      if (len > this.maxPayload) throw new TreeProtocolError('PROTOCOL_ERROR', `frame of ${len} bytes exceeds the limit of ${this.maxPayload}`);
      if (this.buffered < FRAME_HEADER + len) break;
      const whole = this.take(FRAME_HEADER + len);
      out.push({ type: whole.readUInt8(0), payload: whole.subarray(FRAME_HEADER) });
    }
    return out;
  }

  private peek(n: number): Buffer {
    if (this.chunks[0].length >= n) return this.chunks[0];
    this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0];
  }

  private take(n: number): Buffer {
    const first = this.chunks[0];
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      const all = Buffer.concat(this.chunks);
      out = all.subarray(0, n);
      this.chunks = all.length > n ? [all.subarray(n)] : [];
    }
    this.buffered -= n;
    return out;
  }
}

export function errorFrame(code: string, message: string): Buffer {
  const c = Buffer.from(code, 'utf8').subarray(0, 64);
  const m = Buffer.from(message, 'utf8').subarray(0, 4000);
  return new FrameWriter(FrameType.ERROR, pathBytes(c) + pathBytes(m)).path(c).path(m).done();
}
