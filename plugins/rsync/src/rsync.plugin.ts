import type { FileManifest } from '@ferry/contracts';
import { AuthorizedKeysManager, hostKeyResolver, KeySweeper, type HostKeyInfo } from '@ferry/openssh';
import type { Abilities, FinalizeOutcome, FinalizeResult, MechanismPlugin, Pausable, PluginContext, Preparation, TransferHandle } from '@ferry/plugin-sdk';
import { DestinationRole } from './destination/destination.role';
import type { RsyncOptions } from './rsync.options';
import { SourceRole } from './source/source.role';

/**
 * rsync over the sites' own OpenSSH: the destination authorizes the source's ephemeral key in
 * sshd, forced to rrsync (write-only, confined to the destination folder); the source runs rsync.
 * Each method dispatches on the handle's role.
 */
export class RsyncPlugin implements MechanismPlugin, Pausable {
  readonly id = 'rsync';
  readonly abilities: Abilities = { pause: true, resume: true, cancel: true, checksum: true, browse: false };
  readonly keys: AuthorizedKeysManager | null;
  private readonly source: SourceRole;
  private readonly destination: DestinationRole;
  private readonly hostKey: () => Promise<HostKeyInfo>;
  private readonly sweeper: KeySweeper | null;

  constructor(private readonly ctx: PluginContext<RsyncOptions>) {
    const o = ctx.options;
    this.keys = o.authorizedKeysDir
      ? new AuthorizedKeysManager({ dir: o.authorizedKeysDir, ownership: o.keyFileOwnership, logger: ctx.logger, clock: ctx.clock })
      : null;
    this.hostKey = hostKeyResolver({ hostPublicKeyFile: o.hostPublicKeyFile, hostKeyFingerprint: o.hostKeyFingerprint, host: o.sshHost, port: o.sshPort });
    this.sweeper = this.keys ? new KeySweeper(this.keys, { intervalMs: o.sweepIntervalMs, clock: ctx.clock, logger: ctx.logger }) : null;
    this.source = new SourceRole(ctx);
    this.destination = new DestinationRole(ctx, this.keys, this.hostKey);
  }

  async start(): Promise<void> {
    if (!this.keys) return;
    for (const problem of await this.keys.checkDirectory()) this.ctx.logger.warn(`authorizedKeysDir: ${problem}`);
    // a host key we cannot resolve now is retried at the first prepare (sshd may start after us)
    await this.hostKey().catch((e: Error) => this.ctx.logger.warn(`sshd host key not available yet: ${e.message}`));
    await this.sweeper?.start();
  }

  async stop(): Promise<void> {
    await this.sweeper?.stop();
    await this.source.stopAll();
  }

  /** Removes every ferry key past its expiry (sshd already refuses them; this keeps the files clean). */
  async sweep(): Promise<void> {
    await this.sweeper?.sweep();
  }

  prepareSource(t: TransferHandle): Promise<Preparation> {
    return this.source.prepare(t);
  }

  prepareDestination(t: TransferHandle, sourcePublicParams: Record<string, unknown>): Promise<Preparation> {
    return this.destination.prepare(t, sourcePublicParams);
  }

  trigger(t: TransferHandle, peer: Record<string, unknown>): Promise<void> {
    return t.role === 'source' ? this.source.trigger(t, peer) : this.destination.trigger(t);
  }

  pause(t: TransferHandle): Promise<void> {
    return t.role === 'source' ? this.source.pause(t) : Promise.resolve();
  }

  resume(t: TransferHandle): Promise<void> {
    return t.role === 'source' ? this.source.resume(t) : Promise.resolve();
  }

  cancel(t: TransferHandle): Promise<void> {
    return t.role === 'source' ? this.source.cancel(t) : this.destination.cancel(t);
  }

  finalize(t: TransferHandle, outcome: FinalizeOutcome, manifest?: FileManifest): Promise<FinalizeResult> {
    return t.role === 'source' ? this.source.finalize(t) : this.destination.finalize(t, outcome, manifest);
  }

  recover(t: TransferHandle): Promise<void> {
    return t.role === 'source' ? this.source.recover(t) : this.destination.recover(t);
  }
}
