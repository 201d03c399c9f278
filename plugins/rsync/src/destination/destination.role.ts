import { promises as fs, type Stats } from 'node:fs';
import type { FileManifest } from '@ferry/contracts';
import {
  accountCanWrite,
  AuthorizedKeysManager,
  mappedAccount,
  revokeTransferKey,
  rrsyncCommand,
  taggedCommand,
  type HostKeyInfo,
} from '@ferry/openssh';
import { isMechanismError, MechanismError, type FinalizeOutcome, type FinalizeResult, type PluginContext, type Preparation, type TransferHandle } from '@ferry/plugin-sdk';
import { parseSourcePublicParams, type DestinationPeer } from '../peer-params';
import type { RsyncOptions } from '../rsync.options';
import { verifyManifest } from './manifest-verifier';
import { removeRsyncPartials } from './partial-files.util';

type DestinationPhase = 'prepared' | 'triggered' | 'cancelled' | 'finalized';

/**
 * The receiving side: a grant is the source's ephemeral key in the mapped account's
 * authorized-keys file, forced to `rrsync -wo` confined to the destination folder, restricted,
 * expiring (sshd enforces it) and, when the source said where it connects from, bound to those
 * addresses. Revoked on finalize and cancel whatever the outcome; the sweep removes it when it
 * expires anyway.
 */
export class DestinationRole {
  constructor(
    private readonly ctx: PluginContext<RsyncOptions>,
    private readonly keys: AuthorizedKeysManager | null,
    private readonly hostKey: () => Promise<HostKeyInfo>,
  ) {}

  async prepare(t: TransferHandle, sourcePublicParams: Record<string, unknown>): Promise<Preparation> {
    if (!this.keys) throw new MechanismError('REJECTED', 'this site does not receive rsync transfers (no authorizedKeysDir configured)');
    const src = parseSourcePublicParams(sourcePublicParams);
    const account = await mappedAccount(t.identity, 'rsync');
    let st: Stats;
    try {
      st = await fs.stat(t.localPath);
    } catch {
      throw new MechanismError('NOT_FOUND', `destination folder '${t.path || '/'}' does not exist on drive ${t.drive.id}`);
    }
    if (!st.isDirectory()) throw new MechanismError('REJECTED', `destination '${t.path || '/'}' is not a folder`);
    if (!(await accountCanWrite(t.localPath, st, account))) {
      throw new MechanismError('PERMISSION_DENIED', `account ${account.name} cannot write to destination folder '${t.path || '/'}'`);
    }
    this.command(t); // refuses a folder name that cannot go into a forced command, now rather than at trigger
    const hk = await this.hostKey();
    const o = this.ctx.options;
    const forPeer: DestinationPeer = {
      host: o.advertiseHost ?? o.sshHost,
      port: o.sshPort,
      user: account.name,
      hostPublicKey: hk.publicKey,
      hostKeyFingerprint: hk.fingerprint,
    };
    return {
      publicParams: { keyLifetimeMinutes: o.keyLifetimeMinutes },
      forPeer: { ...forPeer },
      state: {
        phase: 'prepared' satisfies DestinationPhase,
        account: account.name,
        // kept so that revocation need not look the account up again (two processes) at finalize
        uid: account.uid,
        sourcePublicKey: src.sshPublicKey,
        item: src.item,
        from: src.sourceAddresses ?? null,
      },
    };
  }

  async trigger(t: TransferHandle): Promise<void> {
    const phase = t.state.phase as DestinationPhase | undefined;
    if (phase === 'cancelled' || phase === 'finalized') throw new MechanismError('INVALID_STATE', `the transfer is already ${phase}`, 'fatal');
    if (!this.keys || typeof t.state.sourcePublicKey !== 'string') throw new MechanismError('INVALID_STATE', 'this transfer was not prepared here', 'fatal');
    const now = this.ctx.clock.now();
    // a repeated trigger re-installs the same key with the same expiry: it never extends a grant
    const previous = typeof t.state.keyExpiresAt === 'string' ? new Date(t.state.keyExpiresAt) : null;
    const expiresAt = previous ?? new Date(now.getTime() + this.ctx.options.keyLifetimeMinutes * 60_000);
    if (expiresAt.getTime() <= now.getTime()) throw new MechanismError('AUTH_FAILED', 'the transfer key has expired', 'fatal');
    const triggeredAt = typeof t.state.triggeredAt === 'string' ? t.state.triggeredAt : now.toISOString();
    // saved first: if installing fails half-way, cancel/finalize still know what to clean up
    await t.saveState({ keyExpiresAt: expiresAt.toISOString(), triggeredAt });
    await this.keys.add({
      account: String(t.state.account),
      transferId: t.id,
      publicKey: t.state.sourcePublicKey,
      command: this.command(t),
      expiresAt,
      from: Array.isArray(t.state.from) ? (t.state.from as string[]) : undefined,
    });
    await t.saveState({ phase: 'triggered' satisfies DestinationPhase });
  }

  async cancel(t: TransferHandle): Promise<void> {
    await this.revoke(t);
    await this.removePartials(t);
    if (t.state.phase !== 'finalized') await t.saveState({ phase: 'cancelled' satisfies DestinationPhase });
  }

  async finalize(t: TransferHandle, outcome: FinalizeOutcome, manifest?: FileManifest): Promise<FinalizeResult> {
    await this.revoke(t);
    let result: FinalizeResult = { ok: true };
    if (outcome === 'succeeded') {
      result = manifest ? await verifyManifest(t.localPath, manifest) : { ok: false, message: 'no manifest to verify against' };
    } else {
      const removed = await this.removePartials(t);
      if (removed.length > 0) result = { ok: true, message: `removed ${removed.length} partial file(s)` };
    }
    await t.saveState({ phase: 'finalized' satisfies DestinationPhase });
    return result;
  }

  /** After a restart: make sure the key of a triggered transfer is (still) installed, unless it expired. */
  async recover(t: TransferHandle): Promise<void> {
    if (t.state.phase !== 'triggered' || !this.keys) return;
    const expiresAt = new Date(String(t.state.keyExpiresAt));
    if (!(expiresAt.getTime() > this.ctx.clock.now().getTime())) return; // the sweep removes it
    await this.trigger(t);
  }

  private command(t: TransferHandle): string {
    try {
      return taggedCommand(t.id, rrsyncCommand({ rrsyncPath: this.ctx.options.rrsyncPath, dir: t.localPath }), this.ctx.options.envPath);
    } catch (e) {
      if (isMechanismError(e)) throw new MechanismError('BAD_PATH', `destination folder cannot be used with rrsync: ${e.message}`);
      throw e;
    }
  }

  /** Removes the key and ends the transfer's sessions that are still running on sshd. */
  private async revoke(t: TransferHandle): Promise<void> {
    if (!this.keys) return;
    const account = typeof t.state.account === 'string' ? t.state.account : undefined;
    const uid = typeof t.state.uid === 'number' ? t.state.uid : undefined;
    await revokeTransferKey(this.keys, t.id, { account, uid, endSessions: !!t.state.triggeredAt, logger: this.ctx.logger });
  }

  private async removePartials(t: TransferHandle): Promise<string[]> {
    if (typeof t.state.triggeredAt !== 'string') return [];
    const removed = await removeRsyncPartials(t.localPath, String(t.state.item ?? ''), new Date(t.state.triggeredAt));
    if (removed.length > 0) this.ctx.logger.info('removed partial files', { transferId: t.id, count: removed.length });
    return removed;
  }
}
