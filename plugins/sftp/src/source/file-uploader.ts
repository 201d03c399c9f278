import { createHash, type Hash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { MechanismError } from '@ferry/plugin-sdk';
import { PART_SUFFIX } from '../server/sftp-session';
import type { ScannedFile } from './source-scanner';
import { OPEN_CONTINUE, OPEN_FRESH, type SftpClient } from './sftp-client';
import { toUploadError } from './upload-error.util';
import type { WriteBudget } from './write-budget';

export interface FileUploadOptions {
  chunkSize: number;
  requestsInFlight: number;
  /**
   * How far below a part file's length bytes may be missing after an interrupted run: writes are
   * acknowledged out of order, so only the last requestsInFlight × chunkSize bytes can hold holes.
   */
  resumeWindow: number;
  checksum: boolean;
  /**
   * Whether a '*.ferry-part' file found at the destination may be continued. Only partial files
   * this transfer wrote are (resume, recover, reconnect); on a first run one could be a leftover of
   * another transfer with other contents, so it is overwritten from byte 0.
   */
  trustPartials: boolean;
  signal: AbortSignal;
  /** the transfer's shared allowance of bytes in flight (see WriteBudget) */
  budget?: WriteBudget;
  /** bytes now known to be at the destination (acknowledged, resumed or skipped) */
  onBytes(n: number): void;
}

/** What the destination already has for this file, from one listing of its folder. */
export interface RemoteFileState {
  final?: { size: number; mtime: number };
  partSize?: number;
}

export interface FileUploadResult {
  sha256?: string;
  /** bytes actually sent in this run */
  sent: number;
  skipped: boolean;
  resumedFrom: number;
}

/**
 * Uploads one file as `<name>.ferry-part` with many WRITE requests in flight, sets its times,
 * and renames it over `<name>`. A file already there with the same size and mtime is skipped
 * (a previous run finished it: we preserve mtime); a part file is continued from its length
 * minus the resume window.
 */
export async function uploadFile(
  sftp: SftpClient,
  file: ScannedFile,
  remoteFinal: string,
  remote: RemoteFileState,
  o: FileUploadOptions,
): Promise<FileUploadResult> {
  const hash = o.checksum ? createHash('sha256') : undefined;
  const upToDate = !!remote.final && remote.final.size === file.size && remote.final.mtime === file.mtimeSec;
  if (upToDate && !hash) {
    // nothing to read either: a re-sync of 10,000 unchanged files opened each of them for nothing
    o.onBytes(file.size);
    return { sent: 0, skipped: true, resumedFrom: file.size };
  }
  const local = await fs.open(file.abs, 'r').catch((e) => {
    throw toUploadError(e, `opening ${file.rel}`);
  });
  try {
    if (upToDate) {
      if (hash) await hashRange(local, hash, 0, file.size, o);
      o.onBytes(file.size);
      return { sha256: hash?.digest('hex'), sent: 0, skipped: true, resumedFrom: file.size };
    }
    const part = remoteFinal + PART_SUFFIX;
    const resumeFrom =
      o.trustPartials && remote.partSize !== undefined && remote.partSize <= file.size
        ? Math.max(0, remote.partSize - o.resumeWindow)
        : 0;
    const handle = await sftp.open(part, resumeFrom > 0 ? OPEN_CONTINUE : OPEN_FRESH).catch((e) => {
      throw toUploadError(e, `creating ${file.rel}`);
    });
    let sent = 0;
    try {
      if (resumeFrom > 0) {
        if (hash) await hashRange(local, hash, 0, resumeFrom, o);
        o.onBytes(resumeFrom);
      }
      sent = await pipelineWrites(sftp, handle, local, file, resumeFrom, hash, o);
      await sftp.fsetstat(handle, { atime: file.atimeSec, mtime: file.mtimeSec });
    } catch (e) {
      await sftp.close(handle).catch(() => undefined);
      throw toUploadError(e, `writing ${file.rel}`);
    }
    await sftp.close(handle).catch((e) => {
      throw toUploadError(e, `closing ${file.rel}`);
    });
    await sftp.replace(part, remoteFinal).catch((e) => {
      throw toUploadError(e, `renaming ${file.rel} into place`);
    });
    return { sha256: hash?.digest('hex'), sent, skipped: false, resumedFrom: resumeFrom };
  } finally {
    await local.close().catch(() => undefined);
  }
}

/**
 * Reads the file in order (hashing as it goes) and keeps up to requestsInFlight writes outstanding.
 * One read buffer serves the whole file: SftpClient.write copies the data into its request before
 * it returns, and allocating a fresh 256 KiB buffer per chunk cost the source more in garbage
 * collection than the encryption did (docs/performance.md).
 */
async function pipelineWrites(
  sftp: SftpClient,
  handle: Buffer,
  local: FileHandle,
  file: ScannedFile,
  from: number,
  hash: Hash | undefined,
  o: FileUploadOptions,
): Promise<number> {
  let firstError: unknown = null;
  let outstanding = 0;
  let slotFreed: (() => void) | null = null;
  let pos = from;
  // one chunk = one WRITE request: a chunk just over the server's limit would add a tiny second one
  const chunkSize = Math.min(o.chunkSize, sftp.maxWriteLength);
  const buf = Buffer.allocUnsafe(Math.min(chunkSize, Math.max(1, file.size - from)));
  const settle = () => {
    outstanding--;
    const wake = slotFreed;
    slotFreed = null;
    wake?.();
  };
  while (pos < file.size && firstError === null) {
    if (o.signal.aborted) throw new MechanismError('CANCELLED', 'upload stopped');
    const n = Math.min(chunkSize, file.size - pos);
    await o.budget?.acquire(n);
    const chunk = buf.subarray(0, n);
    try {
      await readExactly(local, chunk, pos, file);
    } catch (e) {
      o.budget?.release(n);
      throw e;
    }
    hash?.update(chunk);
    outstanding++;
    sftp.write(handle, chunk, pos).then(
      () => {
        o.budget?.release(n);
        o.onBytes(n);
        settle();
      },
      (e: unknown) => {
        o.budget?.release(n);
        firstError ??= e;
        settle();
      },
    );
    pos += n;
    while (outstanding >= o.requestsInFlight) await new Promise<void>((r) => (slotFreed = r));
  }
  while (outstanding > 0) await new Promise<void>((r) => (slotFreed = r));
  if (firstError !== null) throw firstError;
  if (o.signal.aborted) throw new MechanismError('CANCELLED', 'upload stopped');
  return pos - from;
}

/** Fills `buf` from `pos` (a file that shrank meanwhile is an error). */
async function readExactly(local: FileHandle, buf: Buffer, pos: number, file: ScannedFile): Promise<void> {
  const n = buf.length;
  let got = 0;
  while (got < n) {
    const { bytesRead } = await local.read(buf, got, n - got, pos + got);
    if (bytesRead === 0) {
      throw new MechanismError('REMOTE_ERROR', `${file.rel} shrank while it was being sent`, 'no-retry');
    }
    got += bytesRead;
  }
}

async function hashRange(local: FileHandle, hash: Hash, from: number, to: number, o: FileUploadOptions): Promise<void> {
  const buf = Buffer.allocUnsafe(Math.min(1024 * 1024, Math.max(1, to - from)));
  let pos = from;
  while (pos < to) {
    if (o.signal.aborted) throw new MechanismError('CANCELLED', 'upload stopped');
    const { bytesRead } = await local.read(buf, 0, Math.min(buf.length, to - pos), pos);
    if (bytesRead === 0) break;
    hash.update(buf.subarray(0, bytesRead));
    pos += bytesRead;
  }
}
