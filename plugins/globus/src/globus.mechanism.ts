import * as path from 'node:path';
import type { FileManifest } from '@ferry/contracts';
import {
  MechanismError,
  type Abilities,
  type Browsable,
  type BrowseEntry,
  type DriveBinding,
  type FinalizeOutcome,
  type FinalizeResult,
  type LocalIdentity,
  type MechanismPlugin,
  type PluginContext,
  type PluginLogger,
  type Preparation,
  type TransferHandle,
} from '@ferry/plugin-sdk';
import { AppTokenProvider } from './app-token.provider';
import { loadClientSecret } from './client-secret.loader';
import { collectionPath, globusDrive } from './collection-path.util';
import { DestinationSide } from './destination.side';
import { toMechanismError } from './globus-api.error';
import type { GlobusOptions } from './globus-options.schema';
import { ManifestStore } from './manifest.store';
import { redactingLogger } from './redact.util';
import { SourceSide } from './source.side';
import { GlobusTaskPoller } from './task.poller';
import { TransferApiClient } from './transfer-api.client';
import { TransferHttpClient } from './transfer-http.client';

/**
 * Globus mechanism: drives are Globus collections; the source site's application identity submits
 * the transfer, the destination site grants it rw with an ACL rule on its guest collection. Pause is
 * not offered (only endpoint activity managers can pause a Globus task).
 */
export class GlobusMechanism implements MechanismPlugin, Browsable {
  readonly id = 'globus';
  readonly abilities: Abilities = { pause: false, resume: false, cancel: true, checksum: true, browse: true };

  private readonly stopController = new AbortController();
  private secret: string | null = null;
  private readonly log: PluginLogger;
  readonly tokens: AppTokenProvider;
  readonly client: TransferApiClient;
  readonly poller: GlobusTaskPoller;
  private readonly source: SourceSide;
  private readonly destination: DestinationSide;

  constructor(private readonly ctx: PluginContext<GlobusOptions>) {
    const o = ctx.options;
    this.log = redactingLogger(ctx.logger, () => [this.secret ?? '', this.tokens?.current() ?? ''].filter(Boolean));
    this.tokens = new AppTokenProvider({
      authUrl: o.authUrl,
      clientId: o.clientId,
      secret: () => this.loadSecret(),
      clock: ctx.clock,
      logger: this.log,
      renewMarginSeconds: o.tokenRenewMarginSeconds,
      maxBackoffMs: o.maxBackoffMs,
      maxAttempts: o.maxAttempts,
      requestTimeoutMs: o.requestTimeoutMs,
      signal: this.stopController.signal,
    });
    this.client = new TransferApiClient(
      new TransferHttpClient({
        transferUrl: o.transferUrl,
        tokens: this.tokens,
        logger: this.log,
        maxAttempts: o.maxAttempts,
        maxBackoffMs: o.maxBackoffMs,
        requestTimeoutMs: o.requestTimeoutMs,
        signal: this.stopController.signal,
      }),
    );
    this.poller = new GlobusTaskPoller(this.client, { intervalMs: o.pollIntervalMs, maxBackoffMs: o.maxBackoffMs, batchSize: o.pollBatchSize }, this.log, ctx.metrics);
    const deps = {
      options: o,
      client: this.client,
      poller: this.poller,
      manifests: new ManifestStore(ctx.gateway.dataDir, this.client, o.lsPageSize),
      log: this.log,
      transfers: ctx.transfers,
    };
    this.source = new SourceSide(deps);
    this.destination = new DestinationSide(deps);
  }

  async start(): Promise<void> {
    await this.loadSecret(); // fail at start-up, not at the first transfer, when the secret file is wrong
    this.poller.start();
    this.log.info('globus: started', { clientId: this.ctx.options.clientId, transferUrl: this.ctx.options.transferUrl });
  }

  async stop(): Promise<void> {
    this.poller.stop();
    this.stopController.abort(new MechanismError('CANCELLED', 'globus plugin stopped'));
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

  cancel(t: TransferHandle): Promise<void> {
    return t.role === 'source' ? this.source.cancel(t) : this.destination.cancel(t);
  }

  async finalize(t: TransferHandle, outcome: FinalizeOutcome, manifest?: FileManifest): Promise<FinalizeResult> {
    if (t.role === 'destination') return this.destination.finalize(t, outcome, manifest);
    await this.source.finalize(t, outcome);
    return { ok: true };
  }

  async recover(t: TransferHandle): Promise<void> {
    if (t.role === 'source') return this.source.recover(t);
    // the destination has nothing running; its ACL rule stays until finalize/cancel/expiry
  }

  async browse(drive: DriveBinding, _identity: LocalIdentity, rel: string): Promise<BrowseEntry[]> {
    const g = globusDrive(drive);
    try {
      const entries = await this.client.lsAll(g.collectionId, collectionPath(g.basePath, rel) + '/', this.ctx.options.lsPageSize);
      return entries.map((e) => ({
        name: e.name,
        type: e.type === 'dir' ? 'dir' : e.type === 'file' ? 'file' : e.type === 'link' ? 'symlink' : 'other',
        size: e.size ?? 0,
        modified: toIso(e.last_modified),
      }));
    } catch (e) {
      throw toMechanismError(e, `listing '${rel || '/'}'`);
    }
  }

  private async loadSecret(): Promise<string> {
    this.secret ??= await loadClientSecret(path.resolve(this.ctx.options.clientSecretFile));
    return this.secret;
  }
}

/** ls says "2026-01-02 03:04:05+00:00"; ferry speaks ISO 8601. */
function toIso(s: string | null): string {
  if (!s) return new Date(0).toISOString();
  const d = new Date(s.replace(' ', 'T'));
  return Number.isNaN(d.getTime()) ? new Date(0).toISOString() : d.toISOString();
}
