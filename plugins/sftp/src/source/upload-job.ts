import * as path from 'node:path';
import type { FileManifest } from '@ferry/contracts';
import { MechanismError, type PluginLogger, type TransferHandle } from '@ferry/plugin-sdk';
import type { SftpOptions } from '../sftp.options';
import { uploadFile, type FileUploadResult } from './file-uploader';
import type { DestinationPeer } from './peer-params';
import type { ProgressMeter } from './progress-meter';
import { RemoteIndex } from './remote-index';
import { scanSource, type ScannedTree } from './source-scanner';
import { connectSftp, type SftpConnection } from './ssh-connector';
import { STREAM_FILE_MAX, TREE_SUBSYSTEM } from '../tree-stream/tree-protocol';
import { TreeStreamClient } from './tree-stream.client';
import { StreamIndex, sendFilesByStream } from './tree-stream.sender';
import { toUploadError } from './upload-error.util';
import { WriteBudget } from './write-budget';

export type JobOutcome =
  | { kind: 'completed'; manifest: FileManifest }
  | { kind: 'failed'; error: MechanismError }
  | { kind: 'stopped' };

export interface UploadJobDeps {
  t: TransferHandle;
  peer: DestinationPeer;
  privateKey: string;
  options: SftpOptions;
  resumeWindow: number;
  /**
   * Continue every part file found (see FileUploadOptions.trustPartials): only for a run after a
   * gateway restart, when this process cannot know which part files the transfer wrote.
   */
  trustPartials: boolean;
  /**
   * Files whose part file this transfer wrote (a write was acknowledged), kept across its runs in
   * this process. Only these are continued otherwise: a pause before a file was opened must not
   * make another transfer's leftover part file look like ours.
   */
  ownParts: Set<string>;
  meter: ProgressMeter;
  logger: PluginLogger;
}

/** backoff before reconnecting after a dropped connection (a destination restart, a network blip) */
const RETRY_DELAYS_MS = [1000, 3000, 10_000, 30_000];

/**
 * One run of the source side: scan and connect (at the same time), create folders, upload files
 * several at a time, set folder times, and produce the manifest. Stopping (pause, cancel, shutdown) aborts the
 * session and resolves 'stopped'; partial files stay at the destination for the next run.
 */
export class UploadJob {
  private readonly abort = new AbortController();
  private conn: SftpConnection | null = null;
  private done: Promise<JobOutcome> | null = null;
  /** bytes sent by this run (not counting resumed or skipped ones); for logs and tests */
  sentBytes = 0;

  constructor(private readonly d: UploadJobDeps) {}

  start(): Promise<JobOutcome> {
    this.done ??= this.run();
    return this.done;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.conn?.close();
    await this.done;
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private async run(): Promise<JobOutcome> {
    // The SSH login (key exchange, authentication, the SFTP channel) starts while the source is
    // listed instead of after it. The gain is small (~20 ms measured: the listing's synchronous
    // lstat batches hold the event loop the handshake needs too), larger with a slow network or
    // sshd. The first attempt takes this connection, and its failure surfaces there, with the same
    // retries as before.
    let early: Promise<SftpConnection> | null = connectSftp(this.d.peer, this.d.privateKey, this.abort.signal);
    early.catch(() => undefined);
    let tree: ScannedTree;
    try {
      tree = await scanSource(this.d.t.localPath, this.d.t.path === '', this.abort.signal);
    } catch (e) {
      void early.then((c) => c.close(), () => undefined);
      return this.stopped ? { kind: 'stopped' } : { kind: 'failed', error: toUploadError(e, 'reading the source') };
    }
    if (tree.skipped.length) {
      this.d.logger.warn('symlinks and special files are not sent', { transferId: this.d.t.id, count: tree.skipped.length });
    }
    this.d.meter.setTotals(tree.bytesTotal, tree.files.length);
    for (let attempt = 0; ; attempt++) {
      try {
        const connecting = early ?? connectSftp(this.d.peer, this.d.privateKey, this.abort.signal);
        early = null;
        return { kind: 'completed', manifest: await this.attempt(tree, connecting) };
      } catch (e) {
        this.conn?.close();
        this.conn = null;
        if (this.stopped) return { kind: 'stopped' };
        const error = toUploadError(e, 'uploading');
        if (error.retry !== 'retry' || attempt >= RETRY_DELAYS_MS.length) return { kind: 'failed', error };
        this.d.logger.warn('connection to the destination lost; reconnecting', { transferId: this.d.t.id, attempt: attempt + 1 });
        this.d.meter.message('reconnecting');
        if (!(await this.sleep(RETRY_DELAYS_MS[attempt]))) return { kind: 'stopped' };
      }
    }
  }

  private async attempt(tree: ScannedTree, connecting: Promise<SftpConnection>): Promise<FileManifest> {
    this.conn = await connecting;
    if (this.stopped) throw new MechanismError('CANCELLED', 'stopped');
    const sftp = this.conn.sftp;
    const stream = await this.openTreeStream(this.conn);
    const streamIndex = stream ? new StreamIndex(stream) : null;
    const index = streamIndex ?? new RemoteIndex(sftp, this.d.peer.remotePath);
    const remotePath = (rel: string) => (rel ? path.posix.join(this.d.peer.remotePath, rel) : this.d.peer.remotePath);
    await index.ensureDirs(tree.dirs);
    if (streamIndex) await streamIndex.prefetch(tree.files);

    const checksum = this.d.t.options.verify === 'checksum';
    // all files of this run share one allowance of bytes in flight (memory stays bounded however
    // many small files go at once, through the stream or over SFTP)
    const budget = new WriteBudget(this.d.options.requestsInFlight * this.d.options.chunkSize);
    const results: FileUploadResult[] = new Array(tree.files.length);
    // small files go through the tree stream when the destination speaks it; big ones over SFTP
    // (many WRITEs in flight, partial files continued), at the same time
    const byStream: number[] = [];
    const bySftp: number[] = [];
    tree.files.forEach((f, i) => (stream && f.size <= STREAM_FILE_MAX ? byStream : bySftp).push(i));
    let next = 0;
    let failure: unknown = null;
    const worker = async () => {
      while (failure === null && !this.stopped && next < bySftp.length) {
        const i = bySftp[next++];
        const f = tree.files[i];
        let confirmed = 0;
        try {
          results[i] = await uploadFile(sftp, f, remotePath(f.rel), await index.fileState(f.rel), {
            chunkSize: this.d.options.chunkSize,
            requestsInFlight: this.d.options.requestsInFlight,
            resumeWindow: this.d.resumeWindow,
            checksum,
            trustPartials: this.d.trustPartials || this.d.ownParts.has(f.rel),
            signal: this.abort.signal,
            budget,
            onBytes: (n) => {
              this.d.ownParts.add(f.rel);
              this.d.meter.update(f.rel, (confirmed += n));
            },
          });
          this.sentBytes += results[i].sent;
          if (results[i].resumedFrom > 0 && !results[i].skipped) {
            this.d.logger.info('resumed a partial file', { transferId: this.d.t.id, offset: results[i].resumedFrom });
          }
          this.d.meter.fileDone(f.rel, f.size);
        } catch (e) {
          failure ??= e;
        }
      }
    };
    const streamed = async () => {
      if (!stream || !streamIndex || byStream.length === 0) return;
      try {
        const files = byStream.map((i) => tree.files[i]);
        const out = await sendFilesByStream(stream, streamIndex, files, {
          checksum,
          signal: this.abort.signal,
          budget,
          meter: this.d.meter,
          failed: () => failure !== null,
        });
        byStream.forEach((i, k) => {
          results[i] = out[k];
          if (out[k]) this.sentBytes += out[k].sent;
        });
      } catch (e) {
        failure ??= e;
      }
    };
    const workers = Math.max(1, Math.min(this.d.options.parallelFiles, bySftp.length));
    await Promise.all([streamed(), ...Array.from({ length: workers }, worker)]);
    if (failure !== null) throw failure;
    if (this.stopped) throw new MechanismError('CANCELLED', 'stopped');

    if (streamIndex) {
      await streamIndex.setTimes(tree.dirs);
      stream!.close();
    } else {
      // children first: setting a folder's time after its contents changed keeps it
      for (const d of [...tree.dirs].reverse()) {
        await sftp.setstat(remotePath(d.rel), { atime: d.atimeSec, mtime: d.mtimeSec }).catch(() => undefined);
      }
    }
    this.conn.close();
    this.conn = null;
    return {
      verify: checksum ? 'checksum' : 'size',
      files: tree.files.map((f, i) => ({ path: f.rel, size: f.size, ...(checksum ? { sha256: results[i].sha256 } : {}) })),
    };
  }

  /**
   * The tree stream when the destination announced it (ferry's embedded server); null otherwise,
   * and when the server refuses the channel (a peer that no longer speaks it): then every file
   * goes over SFTP as before.
   */
  private async openTreeStream(conn: SftpConnection): Promise<TreeStreamClient | null> {
    if (!this.d.peer.streams?.includes(TREE_SUBSYSTEM)) return null;
    try {
      return new TreeStreamClient(await conn.subsystem(TREE_SUBSYSTEM));
    } catch (e) {
      if (this.stopped) throw new MechanismError('CANCELLED', 'stopped');
      this.d.logger.warn('the destination refused the tree stream; sending every file over SFTP', {
        transferId: this.d.t.id,
        error: (e as Error).message,
      });
      return null;
    }
  }

  /** false when stopped while waiting */
  private sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      if (this.stopped) return resolve(false);
      const timer = setTimeout(() => {
        this.abort.signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        resolve(false);
      };
      this.abort.signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
