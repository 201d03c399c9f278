import type { FileManifest } from '@ferry/contracts';
import { MechanismError, type FinalizeResult, type PluginContext, type Preparation, type TransferHandle } from '@ferry/plugin-sdk';
import { generateEd25519KeyPair, publicKeyLine } from '../keys/ssh-key.util';
import { secretNames } from '../secret-names';
import type { SftpOptions } from '../sftp.options';
import { parseDestinationPeer, type DestinationPeer } from './peer-params';
import { ProgressMeter } from './progress-meter';
import { checkSource } from './source-scanner';
import { UploadJob, type JobOutcome } from './upload-job';

/** Where a source transfer stands; persisted in its state as `phase`. */
type SourcePhase = 'prepared' | 'running' | 'paused' | 'completed' | 'failed' | 'cancelled' | 'finalized';
const ENDED: SourcePhase[] = ['completed', 'failed', 'cancelled', 'finalized'];

/**
 * The source side: an ephemeral key per transfer, and one UploadJob at a time per transfer.
 * The private key and the destination's forPeer (it holds the grant token) live in ctx.secrets;
 * the state holds only the phase and the resume window.
 */
export class SourceRole {
  private readonly jobs = new Map<string, UploadJob>();
  private readonly meters = new Map<string, ProgressMeter>();
  /** per transfer, the files whose part file it wrote (see UploadJobDeps.ownParts) */
  private readonly ownParts = new Map<string, Set<string>>();

  constructor(private readonly ctx: PluginContext<SftpOptions>) {}

  async prepare(t: TransferHandle): Promise<Preparation> {
    await checkSource(t.localPath);
    const comment = `ferry-${t.id}`;
    let privateKey = await this.ctx.secrets.get(secretNames.sshKey(t.id));
    if (!privateKey) {
      privateKey = generateEd25519KeyPair(comment).privateKey;
      await this.ctx.secrets.put(secretNames.sshKey(t.id), privateKey);
    }
    return {
      publicParams: { sshPublicKey: publicKeyLine(privateKey, comment) },
      forPeer: {},
      state: { phase: 'prepared' satisfies SourcePhase },
    };
  }

  async trigger(t: TransferHandle, peerRaw: Record<string, unknown>): Promise<void> {
    if (this.jobs.has(t.id)) return; // a retried trigger: already moving
    const phase = t.state.phase as SourcePhase | undefined;
    if (phase && (ENDED.includes(phase) || phase === 'paused')) return;
    const peer = parseDestinationPeer(peerRaw);
    await this.ctx.secrets.put(secretNames.peer(t.id), JSON.stringify(peer));
    await t.saveState({ phase: 'running' satisfies SourcePhase, resumeWindow: this.window() });
    await this.startJob(t, peer, false);
  }

  async pause(t: TransferHandle): Promise<void> {
    const phase = t.state.phase as SourcePhase | undefined;
    if (phase === 'paused') return;
    if (phase !== 'running') throw new MechanismError('INVALID_STATE', `cannot pause a transfer that is ${phase ?? 'not started'}`);
    const outcome = await this.stopJob(t.id);
    // the job may have finished while we asked: then there is nothing left to pause
    if (!outcome || outcome.kind === 'stopped') await t.saveState({ phase: 'paused' satisfies SourcePhase });
  }

  async resume(t: TransferHandle): Promise<void> {
    if (this.jobs.has(t.id)) return;
    const phase = t.state.phase as SourcePhase | undefined;
    if (phase !== 'paused' && phase !== 'running') {
      throw new MechanismError('INVALID_STATE', `cannot resume a transfer that is ${phase ?? 'not started'}`);
    }
    const peer = await this.storedPeer(t);
    await t.saveState({ phase: 'running' satisfies SourcePhase });
    await this.startJob(t, peer, true);
  }

  async cancel(t: TransferHandle): Promise<void> {
    await this.stopJob(t.id);
    const phase = t.state.phase as SourcePhase | undefined;
    if (phase !== 'finalized' && phase !== 'cancelled') await t.saveState({ phase: 'cancelled' satisfies SourcePhase });
  }

  async finalize(t: TransferHandle): Promise<FinalizeResult> {
    await this.stopJob(t.id);
    await this.ctx.secrets.delete(secretNames.sshKey(t.id));
    await this.ctx.secrets.delete(secretNames.peer(t.id));
    this.meters.delete(t.id);
    this.ownParts.delete(t.id);
    if (t.state.phase !== 'finalized') await t.saveState({ phase: 'finalized' satisfies SourcePhase });
    return { ok: true };
  }

  /** After a restart: a running transfer continues from what the destination has; others wait. */
  async recover(t: TransferHandle): Promise<void> {
    if (this.jobs.has(t.id) || t.state.phase !== 'running') return;
    let peer: DestinationPeer;
    try {
      peer = await this.storedPeer(t);
    } catch (e) {
      await t.saveState({ phase: 'failed' satisfies SourcePhase });
      t.fail('INVALID_STATE', (e as Error).message);
      return;
    }
    await this.startJob(t, peer, true);
  }

  /** Stops every job (gateway shutdown); phases stay as they are so recover() continues them. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.jobs.keys()].map((id) => this.stopJob(id)));
  }

  private window(): number {
    return this.ctx.options.requestsInFlight * this.ctx.options.chunkSize;
  }

  private async storedPeer(t: TransferHandle): Promise<DestinationPeer> {
    const text = await this.ctx.secrets.get(secretNames.peer(t.id));
    if (!text) throw new MechanismError('INVALID_STATE', 'the destination parameters of this transfer are gone');
    return parseDestinationPeer(JSON.parse(text));
  }

  private async startJob(t: TransferHandle, peer: DestinationPeer, trustPartials: boolean): Promise<void> {
    const privateKey = await this.ctx.secrets.get(secretNames.sshKey(t.id));
    if (!privateKey) throw new MechanismError('INVALID_STATE', 'the ephemeral key of this transfer is gone (not prepared, or finalized)');
    if (this.jobs.has(t.id)) return;
    let meter = this.meters.get(t.id);
    if (!meter) this.meters.set(t.id, (meter = new ProgressMeter(t)));
    // a later run in this process knows which part files are ours; after a restart it cannot, and
    // trusts them all (the run that was cut short wrote them)
    let ownParts = this.ownParts.get(t.id);
    const trustAll = trustPartials && !ownParts;
    if (!ownParts) this.ownParts.set(t.id, (ownParts = new Set()));
    // a window recorded at trigger time wins: options may change across restarts
    const recorded = t.state.resumeWindow;
    const job = new UploadJob({
      t,
      peer,
      privateKey,
      options: this.ctx.options,
      resumeWindow: typeof recorded === 'number' ? Math.max(recorded, this.window()) : this.window(),
      trustPartials: trustAll,
      ownParts,
      meter,
      logger: this.ctx.logger,
    });
    this.jobs.set(t.id, job);
    const onAbort = () => void job.stop();
    t.signal.addEventListener('abort', onAbort, { once: true });
    void job.start().then(async (outcome) => {
      t.signal.removeEventListener('abort', onAbort);
      if (this.jobs.get(t.id) === job) this.jobs.delete(t.id);
      if (outcome.kind === 'stopped') return;
      if (outcome.kind === 'completed') {
        await this.end(t, 'completed', () => t.complete(outcome.manifest as FileManifest));
        this.ctx.logger.info('upload complete', { transferId: t.id, files: outcome.manifest.files.length, sent: job.sentBytes });
      } else {
        await this.end(t, 'failed', () => t.fail(outcome.error.code, outcome.error.message));
        this.ctx.logger.warn('upload failed', { transferId: t.id, code: outcome.error.code, message: outcome.error.message });
      }
    });
    if (t.signal.aborted) await job.stop();
  }

  private async end(t: TransferHandle, phase: SourcePhase, announce: () => void): Promise<void> {
    try {
      await t.saveState({ phase });
    } catch (e) {
      this.ctx.logger.error('could not record the end of a transfer', { transferId: t.id, error: String(e) });
    }
    announce();
  }

  private async stopJob(id: string): Promise<JobOutcome | undefined> {
    const job = this.jobs.get(id);
    if (!job) return undefined;
    this.jobs.delete(id);
    await job.stop();
    return job.start();
  }
}
