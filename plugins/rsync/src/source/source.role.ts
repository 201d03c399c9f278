import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { generateEd25519KeyPair, publicKeyFromPrivate } from '@ferry/openssh';
import { MechanismError, type FinalizeResult, type PluginContext, type Preparation, type TransferHandle } from '@ferry/plugin-sdk';
import { parseDestinationPeer, type SourcePublicParams } from '../peer-params';
import type { RsyncOptions } from '../rsync.options';
import { secretNames } from '../secret-names';
import { RsyncJob } from './rsync.job';
import { endStrayRuns } from './stray-runs.util';

/** Phases the source keeps in its state (what recover and a repeated trigger look at). */
type SourcePhase = 'prepared' | 'running' | 'paused' | 'completed' | 'failed' | 'cancelled';
const ENDED: SourcePhase[] = ['completed', 'failed', 'cancelled'];

/**
 * The sending side: an ephemeral Ed25519 key per transfer (private half only in the SecretStore),
 * then rsync over ssh into the destination's grant. One RsyncJob per running transfer.
 */
export class SourceRole {
  private readonly jobs = new Map<string, RsyncJob>();
  private readonly preparing = new Map<string, Promise<Preparation>>();

  constructor(private readonly ctx: PluginContext<RsyncOptions>) {}

  prepare(t: TransferHandle): Promise<Preparation> {
    // two concurrent prepares of one transfer must not mint two keys
    const running = this.preparing.get(t.id);
    if (running) return running;
    const p = this.doPrepare(t).finally(() => this.preparing.delete(t.id));
    this.preparing.set(t.id, p);
    return p;
  }

  private async doPrepare(t: TransferHandle): Promise<Preparation> {
    let st;
    try {
      st = await fs.stat(t.localPath);
    } catch {
      throw new MechanismError('NOT_FOUND', `'${t.path || '/'}' does not exist on drive ${t.drive.id}`);
    }
    if (!st.isFile() && !st.isDirectory()) throw new MechanismError('REJECTED', 'only files and folders can be sent with rsync');
    try {
      await fs.access(t.localPath, fs.constants.R_OK);
    } catch {
      throw new MechanismError('PERMISSION_DENIED', `'${t.path || '/'}' is not readable by the gateway`);
    }
    const name = secretNames.sshKey(t.id);
    let key = await this.ctx.secrets.get(name);
    if (!key) {
      key = generateEd25519KeyPair('ferry').privateKey;
      await this.ctx.secrets.put(name, key);
    }
    const sshPublicKey = publicKeyFromPrivate(key);
    const item = t.path === '' ? '' : path.posix.basename(t.path);
    const publicParams: SourcePublicParams = { sshPublicKey, item };
    if (this.ctx.options.egressAddresses?.length) publicParams.sourceAddresses = this.ctx.options.egressAddresses;
    return {
      publicParams: { ...publicParams },
      forPeer: {},
      state: { sshPublicKey, item, phase: 'prepared' satisfies SourcePhase },
    };
  }

  async trigger(t: TransferHandle, rawPeer: Record<string, unknown>): Promise<void> {
    const phase = t.state.phase as SourcePhase | undefined;
    if (phase && ENDED.includes(phase)) return; // a repeated trigger after the end: nothing to do
    if (this.jobs.has(t.id)) return;
    const peer = parseDestinationPeer(rawPeer);
    if (!(await this.ctx.secrets.get(secretNames.sshKey(t.id)))) {
      throw new MechanismError('INVALID_STATE', 'this transfer was not prepared here, or is already finalized', 'fatal');
    }
    if (phase === 'paused') {
      await t.saveState({ peer });
      return;
    }
    await t.saveState({ phase: 'running' satisfies SourcePhase, peer });
    this.startJob(t);
  }

  async pause(t: TransferHandle): Promise<void> {
    const phase = t.state.phase as SourcePhase | undefined;
    const job = this.jobs.get(t.id);
    if (job) {
      await job.stop('pause');
      this.jobs.delete(t.id);
    }
    if (phase !== 'running') return; // idempotent; nothing to pause before the trigger or after the end
    await t.saveState({ phase: 'paused' satisfies SourcePhase, ...(job ? { progress: job.progress } : {}) });
    t.report({ rate: null, eta: null, message: 'paused (partial files are kept; resume continues them)' });
    this.ctx.logger.info('rsync transfer paused', { transferId: t.id });
  }

  async resume(t: TransferHandle): Promise<void> {
    const phase = t.state.phase as SourcePhase | undefined;
    if (phase === 'running' && !this.jobs.has(t.id)) return this.recover(t);
    if (phase !== 'paused') return;
    await t.saveState({ phase: 'running' satisfies SourcePhase });
    this.startJob(t);
    this.ctx.logger.info('rsync transfer resumed', { transferId: t.id });
  }

  async cancel(t: TransferHandle): Promise<void> {
    const job = this.jobs.get(t.id);
    if (job) {
      await job.stop('cancel');
      this.jobs.delete(t.id);
    }
    await this.release(t);
    const phase = t.state.phase as SourcePhase | undefined;
    if (phase !== 'completed' && phase !== 'failed') await t.saveState({ phase: 'cancelled' satisfies SourcePhase });
  }

  async finalize(t: TransferHandle): Promise<FinalizeResult> {
    const job = this.jobs.get(t.id);
    if (job) {
      await job.stop('cancel');
      this.jobs.delete(t.id);
    }
    await this.release(t);
    await t.saveState({ finalized: true });
    return { ok: true };
  }

  /** After a restart: a transfer that was running runs again (rsync skips what already arrived). */
  async recover(t: TransferHandle): Promise<void> {
    if (t.state.phase !== 'running' || this.jobs.has(t.id)) return;
    if (!(await this.ctx.secrets.get(secretNames.sshKey(t.id)))) {
      throw new MechanismError('INVALID_STATE', 'the transfer key is gone; the transfer cannot resume', 'fatal');
    }
    const stray = await endStrayRuns(this.runDir(t));
    if (stray.length > 0) this.ctx.logger.warn('ended rsync processes left by the previous gateway run', { transferId: t.id, processes: stray.length });
    this.startJob(t);
    this.ctx.logger.info('rsync transfer recovered after restart', { transferId: t.id });
  }

  /** Gateway shutdown: end every rsync (partial files stay), keep state as it is for recover(). */
  async stopAll(): Promise<void> {
    const jobs = [...this.jobs.entries()];
    this.jobs.clear();
    await Promise.all(jobs.map(([, job]) => job.stop('shutdown')));
  }

  private startJob(t: TransferHandle): void {
    const peer = parseDestinationPeer(t.state.peer);
    const job = new RsyncJob(this.ctx, t, peer);
    this.jobs.set(t.id, job);
    const onAbort = () => void job.stop('shutdown');
    if (t.signal.aborted) onAbort();
    else t.signal.addEventListener('abort', onAbort, { once: true });
    void job.done.finally(() => {
      t.signal.removeEventListener('abort', onAbort);
      if (this.jobs.get(t.id) === job) this.jobs.delete(t.id);
    });
  }

  /** Deletes the private key and the run folder: nothing secret stays once the transfer is over. */
  private async release(t: TransferHandle): Promise<void> {
    // an rsync a crashed gateway left behind must not go on sending; after rsync exited 0 there is
    // none (recover() ends leftovers before it runs rsync again), so a completed one skips the walk
    if (t.state.phase !== 'completed') await endStrayRuns(this.runDir(t));
    await this.ctx.secrets.delete(secretNames.sshKey(t.id));
    await fs.rm(this.runDir(t), { recursive: true, force: true });
  }

  /** the folder of a run's key file and known_hosts (RsyncJob writes it) */
  private runDir(t: TransferHandle): string {
    return path.join(this.ctx.gateway.dataDir, 'runs', t.id);
  }
}
