import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import {
  MechanismError,
  type Abilities,
  type FileManifest,
  type FinalizeOutcome,
  type FinalizeResult,
  type MechanismPlugin,
  type PluginContext,
  type Preparation,
  type TransferHandle,
} from '@ferry/plugin-sdk';
import { copyInto, removeParts } from './copy-job';
import { GrantStore } from './grant-store';
import type { LocalCopyOptions } from './options';

// per-transfer secrets carry the transfer id as a whole segment: the gateway deletes them when the transfer ends
const tokenSecret = (id: string) => `local-copy.${id}.token`;
const peerSecret = (id: string) => `local-copy.${id}.peer`;

/**
 * 'local-copy': the source gateway copies straight into the destination's folder, which works when
 * both gateways see one file system. The destination hands out a one-time grant token (sealed to the
 * researcher, who forwards it to the source); the grant itself is a file in the shared `grantsDir`,
 * activated by the destination's trigger and removed by its cancel or finalize.
 */
export class LocalCopyPlugin implements MechanismPlugin {
  readonly id = 'local-copy';
  readonly abilities: Abilities = { pause: false, resume: false, cancel: true, checksum: false, browse: false };
  private readonly grants: GrantStore;
  /** running copies at this gateway, by transfer id */
  private readonly jobs = new Map<string, AbortController>();

  constructor(private readonly ctx: PluginContext<LocalCopyOptions>) {
    this.grants = new GrantStore(ctx.options.grantsDir);
  }

  async prepareSource(t: TransferHandle): Promise<Preparation> {
    await fs.lstat(t.localPath).catch(() => {
      throw new MechanismError('NOT_FOUND', 'the source path does not exist');
    });
    return { publicParams: {}, forPeer: {}, state: { phase: 'prepared' } };
  }

  async prepareDestination(t: TransferHandle): Promise<Preparation> {
    // idempotent: a repeated prepare hands out the same token
    let token = await this.ctx.secrets.get(tokenSecret(t.id));
    if (!token) {
      token = randomBytes(32).toString('base64url');
      await this.ctx.secrets.put(tokenSecret(t.id), token);
    }
    const tokenHash = GrantStore.hash(token);
    await this.grants.put(tokenHash, { transferId: t.id, root: t.localPath, active: false });
    // the state keeps the hash, never the token: state is stored in the gateway's database
    return { publicParams: {}, forPeer: { token }, state: { tokenHash } };
  }

  async trigger(t: TransferHandle, peer: Record<string, unknown>): Promise<void> {
    if (t.role === 'destination') {
      const tokenHash = String(t.state.tokenHash);
      const g = await this.grants.get(tokenHash);
      if (!g) throw new MechanismError('INVALID_STATE', 'not prepared here, or already ended');
      await this.grants.put(tokenHash, { ...g, active: true });
      return;
    }
    if (this.jobs.has(t.id) || t.state.phase !== 'prepared') return; // a repeated trigger changes nothing
    await this.ctx.secrets.put(peerSecret(t.id), JSON.stringify(peer));
    await t.saveState({ phase: 'running' });
    this.launch(t, String(peer.token ?? ''));
  }

  async cancel(t: TransferHandle): Promise<void> {
    if (t.role === 'source') return this.stopJob(t.id);
    await this.revoke(t);
  }

  async finalize(t: TransferHandle, outcome: FinalizeOutcome, manifest?: FileManifest): Promise<FinalizeResult> {
    if (t.role === 'source') {
      this.stopJob(t.id);
      await this.ctx.secrets.delete(peerSecret(t.id));
      return { ok: true };
    }
    await this.revoke(t); // always, whatever the outcome
    await this.ctx.secrets.delete(tokenSecret(t.id));
    if (outcome !== 'succeeded' || !manifest) return { ok: true };
    const mismatches: NonNullable<FinalizeResult['mismatches']> = [];
    for (const f of manifest.files) {
      const st = await fs.stat(path.join(t.localPath, ...f.path.split('/'))).catch(() => null);
      if (st?.size !== f.size) mismatches.push({ path: f.path, expected: `size:${f.size}`, actual: st ? `size:${st.size}` : null });
    }
    return mismatches.length === 0 ? { ok: true } : { ok: false, mismatches };
  }

  async recover(t: TransferHandle): Promise<void> {
    if (t.role === 'destination' || t.state.phase !== 'running' || this.jobs.has(t.id)) return;
    const peer = await this.ctx.secrets.get(peerSecret(t.id));
    if (!peer) return t.fail('INVALID_STATE', 'the peer parameters are gone');
    this.launch(t, String((JSON.parse(peer) as { token?: unknown }).token ?? '')); // simplest recovery: copy again
  }

  async stop(): Promise<void> {
    for (const id of [...this.jobs.keys()]) this.stopJob(id);
  }

  /** Destination: the grant file goes, and with it what a cancelled copy left half-written. */
  private async revoke(t: TransferHandle): Promise<void> {
    const tokenHash = t.state.tokenHash;
    if (typeof tokenHash !== 'string') return;
    await this.grants.revoke(tokenHash);
    await removeParts(t.localPath);
  }

  private stopJob(id: string): void {
    this.jobs.get(id)?.abort();
    this.jobs.delete(id);
  }

  /** The copy runs in the background and ends with exactly one complete() or fail(). */
  private launch(t: TransferHandle, token: string): void {
    const abort = new AbortController();
    this.jobs.set(t.id, abort);
    t.signal.addEventListener('abort', () => abort.abort(), { once: true });
    const grantRoot = async () => (await this.grants.active(token))?.root;
    const countFile = () => this.ctx.metrics?.increment('local_copy_files_total', 1, 'Files the local-copy example plugin copied');
    copyInto(t, grantRoot, abort.signal, this.ctx.options.chunkSize, countFile).then(
      async (manifest) => {
        if (abort.signal.aborted) return;
        this.jobs.delete(t.id);
        await t.saveState({ phase: 'completed' });
        t.complete(manifest);
      },
      async (e: unknown) => {
        if (abort.signal.aborted) return;
        this.jobs.delete(t.id);
        await t.saveState({ phase: 'failed' });
        const err = e instanceof MechanismError ? e : new MechanismError('REMOTE_ERROR', String((e as Error)?.message ?? e));
        this.ctx.logger.warn('local-copy: copy failed', { transferId: t.id, code: err.code });
        t.fail(err.code, err.message);
      },
    );
  }
}
