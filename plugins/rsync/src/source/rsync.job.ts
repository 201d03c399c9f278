import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { writeSshClientFiles } from '@ferry/openssh';
import { isMechanismError, MechanismError, type PluginContext, type TransferHandle } from '@ferry/plugin-sdk';
import type { DestinationPeer } from '../peer-params';
import type { RsyncOptions } from '../rsync.options';
import { secretNames } from '../secret-names';
import { buildRsyncArgs } from './rsync-args.util';
import { mapRsyncExit, type RsyncExit } from './rsync-exit.mapper';
import { LineSplitter, parseProgress2, parseStats, type RsyncStats } from './rsync-output.parser';
import { buildManifest, listSourceFiles, totalsOf } from './source-tree.util';

export type StopReason = 'pause' | 'cancel' | 'shutdown';

interface ChildResult extends RsyncExit {
  stdout: string;
}

/**
 * One transfer's rsync runs at the source, from start to complete()/fail() or until stopped.
 *
 * Each run writes the ephemeral key and a one-line known_hosts into a private folder, spawns
 * rsync (its own process group, so stopping also ends its ssh), turns progress2 lines into
 * t.report() and deletes the key file again when rsync exits. A retryable failure (network,
 * timeout) re-runs after a backoff: --partial left the interrupted file behind and rsync's delta
 * algorithm uses it, so a re-run sends only what is missing. A resumed run first asks rsync
 * (--dry-run --stats) how much is still missing, so progress continues where it was.
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
    const files = await listSourceFiles(t.localPath, contents);
    const totals = totalsOf(files);
    t.report({ bytesTotal: totals.bytes, filesTotal: totals.files, ...this.last, rate: null, eta: null, message: 'starting rsync' });

    for (let attempt = 1; ; attempt++) {
      if (this.stopped) return;
      const runs = Number(t.state.runs ?? 0);
      await t.saveState({ runs: runs + 1 });
      const key = await ctx.secrets.get(secretNames.sshKey(t.id));
      if (!key) throw new MechanismError('INVALID_STATE', 'the transfer key is gone (finalized or cancelled)', 'fatal');
      const client = await writeSshClientFiles(path.join(ctx.gateway.dataDir, 'runs', t.id), {
        privateKey: key,
        host: this.peer.host,
        port: this.peer.port,
        hostPublicKey: this.peer.hostPublicKey,
      });
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
      let result: ChildResult;
      let baseline = { bytes: 0, files: 0 };
      try {
        if (runs > 0) {
          // resumed: what is still missing decides where progress continues from
          const dry = await this.spawnRsync(buildRsyncArgs({ ...base, dryRun: true }), () => undefined);
          if (this.stopped) return;
          if (dry.code !== 0) {
            result = dry;
          } else {
            const s = parseStats(dry.stdout);
            baseline = {
              bytes: Math.max(0, totals.bytes - (s.totalTransferredFileSize ?? totals.bytes)),
              files: Math.max(0, totals.files - (s.regularFilesTransferred ?? totals.files)),
            };
            result = await this.spawnRsync(buildRsyncArgs(base), (line) => this.onLine(line, baseline, totals));
          }
        } else {
          result = await this.spawnRsync(buildRsyncArgs(base), (line) => this.onLine(line, baseline, totals));
        }
      } finally {
        await client.remove();
      }
      if (this.stopped) return;

      if (result.code === 0) {
        const stats = parseStats(result.stdout);
        t.report({ message: 'verifying source files' });
        const manifest = await buildManifest(await listSourceFiles(t.localPath, contents), t.options.verify === 'checksum' ? 'checksum' : 'size', this.stopping.signal);
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

  private onLine(line: string, baseline: { bytes: number; files: number }, totals: { bytes: number; files: number }): void {
    const p = parseProgress2(line);
    if (!p) return;
    // monotonic across runs: a resumed file is counted again from its start by rsync
    this.last = {
      bytesDone: Math.min(totals.bytes, Math.max(this.last.bytesDone, baseline.bytes + p.bytes)),
      filesDone: Math.min(totals.files, Math.max(this.last.filesDone, baseline.files + (p.transferred ?? 0))),
    };
    this.t.report({ ...this.last, bytesTotal: totals.bytes, filesTotal: totals.files, rate: p.rate, eta: p.eta, message: null });
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
