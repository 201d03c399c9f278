import type { FileManifest, PeerDescriptor, ProgressFigures, TransferOptions, TransferRole, TunnelSpec } from '@ferry/contracts';
import type { DriveBinding, LocalIdentity, TransferHandle, TunnelFigures } from '@ferry/plugin-sdk';
import type { ProgressReporter } from '../progress/progress-reporter';
import type { TransferKey, TransferRecord } from '../persistence/transfer.record';

/** Where a handle's callbacks go (implemented by TransferRuntime). */
export interface TransferSink {
  saveState(t: LiveTransfer, patch: Record<string, unknown>): Promise<Record<string, unknown>>;
  progress(t: LiveTransfer, p: Partial<ProgressFigures>): void;
  complete(t: LiveTransfer, manifest: FileManifest): void;
  fail(t: LiveTransfer, code: string, message: string): void;
  tunnel(t: LiveTransfer, info: TunnelFigures, event?: { type: string; message: string }): void;
}

/**
 * One transfer as its plugin sees it (TransferHandle), built from the persisted record, plus the
 * gateway's own per-transfer machinery: the abort controller and the progress reporter.
 */
export class LiveTransfer implements TransferHandle {
  readonly id: string;
  readonly role: TransferRole;
  readonly mechanism: string;
  readonly path: string;
  readonly options: TransferOptions;
  readonly peer: PeerDescriptor;
  readonly triggerDeadline: Date;
  readonly tunnel?: TunnelSpec;
  private current: Record<string, unknown>;
  private readonly abort = new AbortController();

  constructor(
    record: TransferRecord,
    readonly identity: LocalIdentity,
    readonly drive: DriveBinding,
    readonly localPath: string,
    readonly reporter: ProgressReporter,
    private readonly sink: TransferSink,
  ) {
    this.id = record.transferId;
    this.role = record.role;
    this.mechanism = record.mechanism;
    this.path = record.path;
    this.options = record.options;
    this.peer = record.peer;
    this.triggerDeadline = record.triggerDeadline;
    if (record.tunnel) this.tunnel = record.tunnel;
    this.current = record.pluginState;
  }

  get key(): TransferKey {
    return { transferId: this.id, role: this.role };
  }

  get state(): Readonly<Record<string, unknown>> {
    return this.current;
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  async saveState(patch: Record<string, unknown>): Promise<void> {
    this.current = await this.sink.saveState(this, patch);
  }

  /** Adopts state persisted by someone else (the preparation's Preparation.state). */
  adoptState(state: Record<string, unknown>) {
    this.current = state;
  }

  report(progress: Partial<ProgressFigures>): void {
    this.sink.progress(this, progress);
  }

  complete(manifest: FileManifest): void {
    this.sink.complete(this, manifest);
  }

  fail(code: string, message: string): void {
    this.sink.fail(this, code, message);
  }

  reportTunnel(info: TunnelFigures, event?: { type: string; message: string }): void {
    this.sink.tunnel(this, info, event);
  }

  /** Cancel, or gateway shutdown: the plugin sees signal.aborted with this reason. */
  stop(reason: string) {
    if (!this.abort.signal.aborted) this.abort.abort(new Error(reason));
  }
}
