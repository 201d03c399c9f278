import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type { FileManifest } from '@ferry/contracts';
import { writeSshClientFiles, type SshClientFiles } from '@ferry/openssh';
import { isMechanismError, MechanismError, type PluginContext, type TransferHandle } from '@ferry/plugin-sdk';
import type { DestinationPeer } from '../peer-params';
import type { RsyncOptions } from '../rsync.options';
import { secretNames } from '../secret-names';
import { buildRsyncArgs } from './rsync-args.util';
import { mapRsyncExit, type RsyncExit } from './rsync-exit.mapper';
import { parseListEntry, regularFilesOf, type RsyncListEntry } from './rsync-file-list.parser';
import { LineSplitter, parseProgress2, parseStats, type Progress2, type RsyncStats } from './rsync-output.parser';
import { buildManifest, listSourceFiles, totalsOf, type SourceFile } from './source-tree.util';

export type StopReason = 'pause' | 'cancel' | 'shutdown';

interface ChildResult extends RsyncExit {
  stdout: string;
}

/** one rsync run's figures: where it started from, the totals when known, the file list so far */
interface RunFigures {
  baseline: { bytes: number; files: number };
  totals: { bytes: number; files: number } | null;
  entries: RsyncListEntry[];
}

/**
 * One transfer's rsync runs at the source, from start to complete()/fail() or until stopped.
 *
 * Each run writes the ephemeral key and a one-line known_hosts into a private folder, spawns
 * rsync (its own process group, so stopping also ends its ssh), turns progress2 lines into
 * t.report(), keeps rsync's itemized file list for the manifest and deletes the key file again
 * when rsync exits. A retryable failure (network, timeout) re-runs after a backoff: --partial left
 * the interrupted file behind and rsync's delta algorithm uses it, so a re-run sends only what is
 * missing. A resumed run first asks rsync (--dry-run --stats) how much is still missing, so
 * progress continues where it was.
 *
 * stop() ends the current rsync (SIGTERM, then SIGKILL) and returns without calling complete or
 * fail: pausing, cancelling and gateway shutdown decide what happens next.
 */
export class RsyncJob {
  private child: ChildProcess | null = null;
  private stopReason: StopReason | null = null;
  private wake: (() => void) | null = null;
  /** aborted by stop(): also interrupts hashing for the manifest, which can take a while */
  private readonly stopping = new AbortController();
  readonly done: Promise<void>;
  private last = { bytesDone: 0, filesDone: 0 };

  constructor(
    private readonly ctx: PluginContext<RsyncOptions>,
    private readonly t: TransferHandle,
    private readonly peer: DestinationPeer,
  ) {
    const prev = t.state.progress as { bytesDone?: number; filesDone?: number } | undefined;
    this.last = { bytesDone: prev?.bytesDone ?? 0, filesDone: prev?.filesDone ?? 0 };
    this.done = this.run().catch((e) => this.end(e));
  }

  /** figures reported so far (kept in state when the job stops, so a later run continues from them) */
  get progress(): { bytesDone: number; filesDone: number } {
    return { ...this.last };
  }

  get stopped(): boolean {
    return this.stopReason !== null;
  }

  async stop(reason: StopReason): Promise<void> {
    this.stopReason ??= reason;
    this.stopping.abort();
    this.wake?.();
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
      await this.done;
      clearTimeout(timer);
    } else {
      await this.done;
    }
  }

  private async run(): Promise<void> {
    const { t, ctx } = this;
    const o = ctx.options;
    const contents = t.path === '';
    // The tree is not listed before rsync starts: rsync builds its own file list, and totals come
    // from a resumed run's dry run, from progress2's percentage meanwhile, and exactly at the end.
    t.report({ ...this.last, rate: null, eta: null, message: 'starting rsync' });

    for (let attempt = 1; ; attempt++) {
      if (this.stopped) return;
      const runs = Number(t.state.runs ?? 0);
      // the run count is saved while the key file is written: both are on the way to rsync's start
      const [saved, written] = await Promise.allSettled([t.saveState({ runs: runs + 1 }), this.writeClientFiles()]);
      if (saved.status === 'rejected') {
        if (written.status === 'fulfilled') await written.value.remove();
        throw saved.reason;
      }
      if (written.status === 'rejected') throw written.reason;
      const client = written.value;
      const base = {
        source: t.localPath,
        contents,
        peer: this.peer,
        files: client,
        sshPath: o.sshPath,
        checksum: t.options.verify === 'checksum',
        ioTimeoutSeconds: o.ioTimeoutSeconds,
        bwlimitKiBps: o.bwlimitKiBps,
      };
      const run: RunFigures = { baseline: { bytes: 0, files: 0 }, totals: null, entries: [] };
      let result: ChildResult;
      try {
        if (runs > 0) {
          // resumed: what is still missing decides where progress continues from
          const dry = await this.spawnRsync(buildRsyncArgs({ ...base, dryRun: true }), () => undefined);
          if (this.stopped) return;
          if (dry.code !== 0) {
            result = dry;
          } else {
            const s = parseStats(dry.stdout);
            if (s.totalFileSize !== null && s.regularFiles !== null) {
              const totals = { bytes: s.totalFileSize, files: s.regularFiles };
              run.totals = totals;
              run.baseline = {
                bytes: Math.max(0, totals.bytes - (s.totalTransferredFileSize ?? totals.bytes)),
                files: Math.max(0, totals.files - (s.regularFilesTransferred ?? totals.files)),
              };
              t.report({ bytesTotal: totals.bytes, filesTotal: totals.files });
            }
            result = await this.spawnRsync(buildRsyncArgs(base), (line) => this.onLine(line, run));
          }
        } else {
          result = await this.spawnRsync(buildRsyncArgs(base), (line) => this.onLine(line, run));
        }
      } finally {
        await client.remove();
      }
      if (this.stopped) return;

      if (result.code === 0) {
        const stats = parseStats(result.stdout);
        const manifest = await this.manifest(run.entries, stats);
        if (this.stopped) return;
        const final = totalsOf(manifest.files.map((f) => ({ rel: f.path, abs: '', size: f.size })));
        this.last = { bytesDone: final.bytes, filesDone: final.files };
        await t.saveState({ phase: 'completed', lastStats: statsForState(stats), progress: this.last });
        t.report({ bytesDone: final.bytes, bytesTotal: final.bytes, filesDone: final.files, filesTotal: final.files, rate: null, eta: 0, message: completionMessage(stats) });
        t.complete(manifest);
        ctx.logger.info('rsync transfer complete', { transferId: t.id, files: final.files, bytes: final.bytes, sentFileBytes: stats.totalTransferredFileSize });
        return;
      }

      const err = mapRsyncExit(result);
      ctx.logger.warn('rsync run failed', { transferId: t.id, attempt, code: err.code, retry: err.retry, exit: result.code, signal: result.signal });
      if (err.retry !== 'retry' || attempt >= o.maxAttempts) {
        const final = err.retry === 'retry' ? new MechanismError(err.code, `${err.message} (gave up after ${attempt} attempts)`, 'no-retry', err.details) : err;
        return this.end(final);
      }
      const delay = Math.min(30_000, 1000 * 2 ** (attempt - 1));
      t.report({ rate: null, eta: null, message: `connection lost; retrying in ${Math.round(delay / 1000)} s (attempt ${attempt + 1} of ${o.maxAttempts})` });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  /** The one place a job ends a transfer with an error (never when it was stopped on purpose). */
  private async end(e: unknown): Promise<void> {
    if (this.stopped) return;
    const err = isMechanismError(e) ? e : new MechanismError('PROCESS_FAILED', `rsync job failed: ${(e as Error)?.message ?? String(e)}`, 'no-retry');
    if (!isMechanismError(e)) this.ctx.logger.error('rsync job failed unexpectedly', { transferId: this.t.id, error: String((e as Error)?.stack ?? e) });
    await this.t.saveState({ phase: 'failed', error: { code: err.code, message: err.message } });
    this.t.fail(err.code, err.message);
  }

  /** the run's key file and one-line known_hosts, in a private folder (removed when rsync exits) */
  private async writeClientFiles(): Promise<SshClientFiles> {
    const key = await this.ctx.secrets.get(secretNames.sshKey(this.t.id));
    if (!key) throw new MechanismError('INVALID_STATE', 'the transfer key is gone (finalized or cancelled)', 'fatal');
    return writeSshClientFiles(path.join(this.ctx.gateway.dataDir, 'runs', this.t.id), {
      privateKey: key,
      host: this.peer.host,
      port: this.peer.port,
      hostPublicKey: this.peer.hostPublicKey,
    });
  }

  /**
   * What the destination verifies: the regular files of rsync's own file list (its --out-format
   * lines, checked against its --stats), or, should those not add up, a listing of the source made
   * now. With verify = checksum every file is hashed here.
   */
  private async manifest(entries: RsyncListEntry[], stats: RsyncStats): Promise<FileManifest> {
    const { t } = this;
    const contents = t.path === '';
    let files: SourceFile[];
    const listed = regularFilesOf(entries, stats);
    if (listed) {
      // paths are relative to the destination folder: '<item>/...' (or the item itself), or a drive root's contents
      const root = contents ? t.localPath : path.dirname(t.localPath);
      files = listed.map((f) => ({ rel: f.path, abs: path.join(root, ...f.path.split('/')), size: f.size }));
    } else {
      this.ctx.logger.warn("rsync's file list does not match its own statistics; listing the source instead", {
        transferId: t.id,
        entries: entries.length,
        regularFiles: stats.regularFiles,
      });
      files = await listSourceFiles(t.localPath, contents);
    }
    const checksum = t.options.verify === 'checksum';
    if (checksum) t.report({ message: 'verifying source files' });
    return buildManifest(files, checksum ? 'checksum' : 'size', this.stopping.signal);
  }

  private onLine(line: string, run: RunFigures): void {
    const entry = parseListEntry(line);
    if (entry) {
      run.entries.push(entry);
      return;
    }
    const p = parseProgress2(line);
    if (!p) return;
    // monotonic across runs: a resumed file is counted again from its start by rsync
    let bytesDone = Math.max(this.last.bytesDone, run.baseline.bytes + p.bytes);
    let filesDone = Math.max(this.last.filesDone, run.baseline.files + (p.transferred ?? 0));
    const bytesTotal = run.totals?.bytes ?? estimateTotal(p, bytesDone);
    if (bytesTotal !== null) bytesDone = Math.min(bytesTotal, bytesDone);
    if (run.totals) filesDone = Math.min(run.totals.files, filesDone);
    this.last = { bytesDone, filesDone };
    this.t.report({
      ...this.last,
      ...(bytesTotal !== null ? { bytesTotal } : {}),
      ...(run.totals ? { filesTotal: run.totals.files } : {}),
      rate: p.rate,
      eta: p.eta,
      message: null,
    });
  }

  private spawnRsync(args: string[], onLine: (line: string) => void): Promise<ChildResult> {
    return new Promise((resolve) => {
      let stdout = '';
      let stderr = '';
      const split = new LineSplitter();
      const child = spawn(this.ctx.options.rsyncPath, args, {
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true, // own process group: stop() ends rsync *and* its ssh
        env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
      });
      this.child = child;
      child.stdout!.setEncoding('utf8').on('data', (d: string) => {
        for (const line of split.push(d)) onLine(line);
        stdout = keepTail(stdout + d, 64 * 1024);
      });
      child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = keepTail(stderr + d, 16 * 1024)));
      let settled = false;
      const finish = (code: number | null, signal: NodeJS.Signals | null) => {
        if (settled) return;
        settled = true;
        for (const line of split.flush()) onLine(line);
        if (this.child === child) this.child = null;
        resolve({ code, signal, stdout, stderr });
      };
      child.once('error', (e) => {
        stderr += `\n${e.message}`;
        finish(127, null);
      });
      child.once('close', finish);
      // a stop() that came while we were starting
      if (this.stopped) killGroup(child, 'SIGTERM');
    });
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

/**
 * The whole file list's size from a progress2 line: rsync prints the percentage of it sent so far,
 * truncated, so the size lies between 100·bytes/(p+1) and 100·bytes/p; the middle is taken. null
 * before the first percent.
 */
export function estimateTotal(p: Progress2, bytesDone: number): number | null {
  if (p.percent >= 100) return Math.max(bytesDone, p.bytes);
  if (p.percent < 1 || p.bytes <= 0) return null;
  return Math.max(bytesDone, Math.round((p.bytes * 100) / (p.percent + 0.5)));
}

function keepTail(s: string, max: number): string {
  return s.length > max ? s.slice(-max) : s;
}

function statsForState(s: RsyncStats): Record<string, number | null> {
  return { ...s };
}

function completionMessage(s: RsyncStats): string {
  if (s.regularFilesTransferred === 0) return 'complete: every file was already up to date';
  return `complete: ${s.regularFilesTransferred ?? '?'} file(s) sent, ${s.totalTransferredFileSize ?? '?'} bytes of file data`;
}
