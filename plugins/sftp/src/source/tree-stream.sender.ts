import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import * as path from 'node:path';
import { MechanismError } from '@ferry/plugin-sdk';
import type { FileUploadResult, RemoteFileState } from './file-uploader';
import type { ProgressMeter } from './progress-meter';
import type { ScannedDir, ScannedFile } from './source-scanner';
import type { TreeStreamClient } from './tree-stream.client';
import { toUploadError } from './upload-error.util';
import type { WriteBudget } from './write-budget';

/** frame bytes besides the data and the path (type, length, mode, times, size) */
const FILE_FRAME_OVERHEAD = 5 + 2 + 4 + 4 + 4 + 6;
/** the sender yields to the event loop (acks, other transfers) after this many bytes */
const YIELD_BYTES = 1024 * 1024;

/**
 * What the destination holds, learned through the tree stream in one exchange for the whole tree
 * (rsync's quick check: size and mtime), instead of one READDIR per folder. Folders this run
 * created are known empty and not asked about.
 */
export class StreamIndex {
  private readonly created = new Set<string>();
  private readonly states = new Map<string, RemoteFileState>();

  constructor(private readonly stream: TreeStreamClient) {}

  async ensureDirs(dirs: ScannedDir[]): Promise<void> {
    if (dirs.length === 0) return;
    const made = await this.stream.dirs(dirs.map((d) => ({ rel: d.rel, mode: 0o755 })));
    dirs.forEach((d, i) => made[i] && this.created.add(d.rel));
  }

  /** Asks about every file whose folder existed before this run (all at once, pipelined frames). */
  async prefetch(files: ScannedFile[]): Promise<void> {
    const ask = files.filter((f) => !this.created.has(path.posix.dirname(f.rel)));
    if (ask.length === 0) return;
    const answers = await this.stream.query(ask.map((f) => f.rel));
    ask.forEach((f, i) => this.states.set(f.rel, answers[i]));
  }

  stateOf(rel: string): RemoteFileState {
    return this.states.get(rel) ?? {};
  }

  fileState(rel: string): Promise<RemoteFileState> {
    return Promise.resolve(this.stateOf(rel));
  }

  setTimes(dirs: ScannedDir[]): Promise<void> {
    // children first: setting a folder's time after its contents changed keeps it
    return this.stream.times([...dirs].reverse().map((d) => ({ rel: d.rel, atime: d.atimeSec, mtime: d.mtimeSec })));
  }
}

export interface StreamSendOptions {
  checksum: boolean;
  signal: AbortSignal;
  budget: WriteBudget;
  meter: ProgressMeter;
  /** another part of the run failed: stop sending */
  failed(): boolean;
}

/**
 * Sends small files as FILE frames, many per SSH write and no round trip per file: each is read
 * whole with synchronous calls (a few µs on a local disk, against a thread-pool dispatch per
 * call), hashed when the transfer verifies checksums, and counted done when the destination's
 * batched ACK says it is in place. Bytes in flight come out of the run's WriteBudget, so memory
 * stays bounded with the SFTP files that go at the same time. An up-to-date file (same size and
 * mtime at the destination) is skipped. Files are always sent whole: a part file left by an
 * interrupted run is overwritten (they are at most STREAM_FILE_MAX bytes).
 */
export async function sendFilesByStream(
  stream: TreeStreamClient,
  index: StreamIndex,
  files: ScannedFile[],
  o: StreamSendOptions,
): Promise<FileUploadResult[]> {
  const results: FileUploadResult[] = new Array(files.length);
  let sinceYield = 0;
  // up-to-date files are counted done together, with one progress report, before the next wait
  const upToDate: ScannedFile[] = [];
  const countUpToDate = () => {
    if (upToDate.length === 0) return;
    o.meter.filesDone(upToDate);
    upToDate.length = 0;
  };
  for (let i = 0; i < files.length; i++) {
    if (o.signal.aborted) throw new MechanismError('CANCELLED', 'upload stopped');
    if (stream.failure) throw stream.failure;
    if (o.failed()) {
      countUpToDate();
      return results;
    }
    const f = files[i];
    const remote = index.stateOf(f.rel);
    if (remote.final && remote.final.size === f.size && remote.final.mtime === f.mtimeSec) {
      const sha256 = o.checksum ? hashFile(f) : undefined;
      upToDate.push(f);
      results[i] = { sha256, sent: 0, skipped: true, resumedFrom: f.size };
      continue;
    }
    countUpToDate();
    const rel = Buffer.from(f.rel, 'utf8');
    const cost = FILE_FRAME_OVERHEAD + rel.length + f.size;
    await o.budget.acquire(cost);
    if (stream.failure) {
      o.budget.release(cost);
      throw stream.failure;
    }
    let sha256: string | undefined;
    let settled = false;
    const release = () => {
      if (settled) return;
      settled = true;
      o.budget.release(cost);
    };
    try {
      stream.sendFile(
        rel,
        { mode: 0o644, atime: f.atimeSec, mtime: f.mtimeSec, size: f.size },
        (region) => {
          readWhole(f, region);
          if (o.checksum) sha256 = createHash('sha256').update(region).digest('hex');
        },
        () => {
          release();
          o.meter.fileDone(f.rel, f.size);
        },
        release,
      );
    } catch (e) {
      release();
      throw e;
    }
    results[i] = { sha256, sent: f.size, skipped: false, resumedFrom: 0 };
    sinceYield += cost;
    if (sinceYield >= YIELD_BYTES) {
      sinceYield = 0;
      stream.flush();
      await new Promise((r) => setImmediate(r));
    }
  }
  countUpToDate();
  await stream.allAcknowledged();
  return results;
}

/** Reads the file's scanned length into `into` (a file that shrank meanwhile is an error). */
function readWhole(f: ScannedFile, into: Buffer): void {
  let fd: number;
  try {
    fd = openSync(f.abs, 'r');
  } catch (e) {
    throw toUploadError(e, `opening ${f.rel}`);
  }
  try {
    let got = 0;
    while (got < into.length) {
      const n = readSync(fd, into, got, into.length - got, got);
      if (n === 0) throw new MechanismError('REMOTE_ERROR', `${f.rel} shrank while it was being sent`, 'no-retry');
      got += n;
    }
  } catch (e) {
    throw toUploadError(e, `reading ${f.rel}`);
  } finally {
    closeSync(fd);
  }
}

function hashFile(f: ScannedFile): string {
  const buf = Buffer.allocUnsafe(f.size);
  readWhole(f, buf);
  return createHash('sha256').update(buf).digest('hex');
}
