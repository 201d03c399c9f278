import { Logger } from '@nestjs/common';
import { DomainError, type FileManifest } from '@ferry/contracts';
import {
  hasAccessPoints,
  isBrowsable,
  isPausable,
  type Abilities,
  type AccessPointInfo,
  type BrowseEntry,
  type FinalizeOutcome,
  type FinalizeResult,
  type MechanismPlugin,
  type Preparation,
  type TransferHandle,
} from '@ferry/plugin-sdk';
import type { DriveConfig, GatewayConfig, IdentityConfig } from '../config/gateway-config';
import { confinePath } from './path-confinement.util';
import { classifyPluginFailure } from './mechanism-error.mapper';
import type { PluginMetrics } from './plugin-metrics';

export type Operation = 'pause' | 'resume' | 'cancel';

/**
 * The only way the gateway calls a plugin (style item 12): no plugin can skip these guards.
 * Before each call: the identity must be one of the config's identities (calls that only take
 * things away — cancel, finalize — are exempt, so a grant can always be revoked), and the path is
 * normalized and confined to the drive again, symlinks included. Around each call: metrics,
 * retries for failures the plugin classified 'retry', and mapping of MechanismError to DomainError.
 */
export class GuardedPlugin {
  private readonly logger: Logger;

  constructor(
    private readonly plugin: MechanismPlugin,
    private readonly config: GatewayConfig,
    private readonly metrics: PluginMetrics,
    /** waits between attempts of a 'retry'-class failure; its length is the number of retries */
    private readonly retryDelaysMs: number[] = [200, 1000],
  ) {
    this.logger = new Logger(`guard:${plugin.id}`);
  }

  get id(): string {
    return this.plugin.id;
  }

  get abilities(): Abilities {
    return this.plugin.abilities;
  }

  /** What the task page may offer for this mechanism. */
  operations(): Operation[] {
    const ops: Operation[] = [];
    if (isPausable(this.plugin) && this.plugin.abilities.resume) ops.push('pause', 'resume');
    if (this.plugin.abilities.cancel) ops.push('cancel');
    return ops;
  }

  async start(): Promise<void> {
    await this.run('start', null, false, () => this.plugin.start?.());
  }

  async stop(): Promise<void> {
    await this.run('stop', null, false, () => this.plugin.stop?.());
  }

  prepareSource(t: TransferHandle): Promise<Preparation> {
    return this.run('prepareSource', t, true, () => this.plugin.prepareSource(t));
  }

  prepareDestination(t: TransferHandle, sourcePublicParams: Record<string, unknown>): Promise<Preparation> {
    return this.run('prepareDestination', t, true, () => this.plugin.prepareDestination(t, sourcePublicParams));
  }

  trigger(t: TransferHandle, peer: Record<string, unknown>, user?: Record<string, unknown>): Promise<void> {
    return this.run('trigger', t, true, () => this.plugin.trigger(t, peer, user));
  }

  cancel(t: TransferHandle): Promise<void> {
    return this.run('cancel', t, false, () => this.plugin.cancel(t));
  }

  finalize(t: TransferHandle, outcome: FinalizeOutcome, manifest?: FileManifest): Promise<FinalizeResult> {
    return this.run('finalize', t, false, () => this.plugin.finalize(t, outcome, manifest));
  }

  recover(t: TransferHandle): Promise<void> {
    return this.run('recover', t, true, () => this.plugin.recover(t));
  }

  pause(t: TransferHandle): Promise<void> {
    const p = this.plugin;
    if (!isPausable(p)) throw new DomainError('INVALID_STATE', `mechanism '${this.id}' cannot pause a transfer`);
    return this.run('pause', t, true, () => p.pause(t));
  }

  resume(t: TransferHandle): Promise<void> {
    const p = this.plugin;
    if (!isPausable(p) || !p.abilities.resume) {
      throw new DomainError('INVALID_STATE', `mechanism '${this.id}' cannot resume a transfer`);
    }
    return this.run('resume', t, true, () => p.resume(t));
  }

  /** The plugin's access points (tunnel mechanisms), or null when it has none. */
  async accessPoints(): Promise<AccessPointInfo[] | null> {
    const p = this.plugin;
    if (!hasAccessPoints(p)) return null;
    return this.run('accessPoints', null, false, () => p.accessPoints());
  }

  canBrowse(): boolean {
    return isBrowsable(this.plugin);
  }

  async browse(drive: DriveConfig, identity: IdentityConfig, path: string): Promise<BrowseEntry[]> {
    const p = this.plugin;
    if (!isBrowsable(p)) throw new DomainError('INVALID_STATE', `mechanism '${this.id}' cannot browse drives`);
    this.requireIdentity(identity.name);
    const confined = await confinePath(drive, path);
    const binding = { id: drive.id, root: drive.root, attributes: drive.attributes };
    return this.run('browse', null, false, () => p.browse(binding, identity, confined.relative));
  }

  private async run<T>(method: string, t: TransferHandle | null, needsIdentity: boolean, call: () => Promise<T> | T): Promise<T> {
    if (t) await this.check(t, needsIdentity);
    for (let attempt = 0; ; attempt++) {
      this.metrics.call(this.id, method);
      try {
        return await call();
      } catch (e) {
        const failure = classifyPluginFailure(e, this.id, method);
        this.metrics.error(this.id, failure.code);
        if (failure.code === 'INTERNAL') this.logger.error(`${method} threw: ${(e as Error)?.stack ?? String(e)}`);
        const canRetry = failure.retry === 'retry' && attempt < this.retryDelaysMs.length && !t?.signal.aborted;
        if (!canRetry) throw failure.error;
        this.metrics.retry(this.id);
        this.logger.warn(`${method} for ${t?.id ?? '-'} failed (${failure.code}), retrying: ${failure.error.message}`);
        await new Promise((r) => setTimeout(r, this.retryDelaysMs[attempt]));
      }
    }
  }

  private async check(t: TransferHandle, needsIdentity: boolean): Promise<void> {
    if (needsIdentity) this.requireIdentity(t.identity.name);
    if (t.tunnel) return; // tunnels have no drive path
    const drive = this.config.drives.find((d) => d.id === t.drive.id);
    if (!drive) throw new DomainError('NOT_FOUND', `drive '${t.drive.id}' is not configured at ${this.config.id}`);
    const confined = await confinePath(drive, t.path);
    if (confined.relative !== t.path || confined.localPath !== t.localPath) {
      throw new DomainError('BAD_PATH', `path '${t.path}' is not a normalized path inside drive '${drive.id}'`);
    }
  }

  private requireIdentity(name: string): void {
    if (!this.config.identities.some((i) => i.name === name)) {
      throw new DomainError('NO_IDENTITY_MAPPING', `identity '${name}' is not configured at ${this.config.id}`);
    }
  }
}
