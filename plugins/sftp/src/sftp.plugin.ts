import type { FileManifest } from '@ferry/contracts';
import type {
  Abilities,
  FinalizeOutcome,
  FinalizeResult,
  MechanismPlugin,
  Pausable,
  PluginContext,
  Preparation,
  TransferHandle,
} from '@ferry/plugin-sdk';
import type { DestinationBackend } from './destination/destination-backend';
import { DestinationRole } from './destination/destination.role';
import { createDestinationBackend } from './destination/backend.factory';
import { GrantStore } from './destination/grant.store';
import type { SftpOptions } from './sftp.options';
import { SourceRole } from './source/source.role';

/**
 * The sftp mechanism: the source uploads over SFTP into a grant the destination mints per transfer.
 * Each method dispatches on the handle's role; the two roles share nothing but the plugin's context.
 */
export class SftpPlugin implements MechanismPlugin, Pausable {
  readonly id = 'sftp';
  readonly abilities: Abilities = { pause: true, resume: true, cancel: true, checksum: true, browse: false };
  readonly grants: GrantStore;
  readonly backend: DestinationBackend;
  private readonly source: SourceRole;
  private readonly destination: DestinationRole;

  constructor(private readonly ctx: PluginContext<SftpOptions>) {
    this.grants = new GrantStore(ctx.transfers, ctx.clock);
    this.backend = createDestinationBackend(ctx, this.grants);
    this.source = new SourceRole(ctx);
    this.destination = new DestinationRole(ctx, this.grants, this.backend);
  }

  async start(): Promise<void> {
    await this.backend.start();
  }

  async stop(): Promise<void> {
    await this.source.stopAll();
    await this.backend.stop();
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
