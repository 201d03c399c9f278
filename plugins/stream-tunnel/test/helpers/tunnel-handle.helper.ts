import type { FileManifest, PeerDescriptor, ProgressFigures, TunnelSpec } from '@ferry/contracts';
import type { TransferHandle, TunnelFigures } from '@ferry/plugin-sdk';

export interface RecordedEvent {
  type: string;
  message: string;
  figures: TunnelFigures;
}

const PEER: PeerDescriptor = { providerId: 'peer', name: 'peer', signPublicKey: '', boxPublicKey: '', mechanisms: ['stream-tunnel'] };

/**
 * A TransferHandle as the gateway would build it, recording what the plugin reports. `state`
 * survives into a new handle with `restarted()`, as the gateway's persisted record would.
 */
export class TunnelHandle implements TransferHandle {
  readonly identity = { name: 'alice', account: 'alice', attributes: {} };
  readonly drive = { id: '', root: '', attributes: {} };
  readonly path = '';
  readonly localPath = '';
  readonly options = {} as TransferHandle['options'];
  readonly peer = PEER;
  readonly triggerDeadline = new Date(Date.now() + 15 * 60_000);
  readonly events: RecordedEvent[] = [];
  figures: TunnelFigures = { listenAddress: null, connectionsOpen: 0, connectionsTotal: 0, bytesAtoB: 0, bytesBtoA: 0 };
  completed: FileManifest | null = null;
  failed: { code: string; message: string } | null = null;
  private readonly abort = new AbortController();
  private ended: () => void = () => undefined;
  /** resolves when the plugin calls complete() or fail() */
  readonly done = new Promise<void>((r) => (this.ended = r));
  private st: Record<string, unknown> = {};

  constructor(
    readonly id: string,
    readonly role: 'source' | 'destination',
    readonly tunnel: TunnelSpec,
  ) {}

  get state(): Readonly<Record<string, unknown>> {
    return this.st;
  }
  get signal(): AbortSignal {
    return this.abort.signal;
  }
  setState(s: Record<string, unknown> | undefined) {
    this.st = { ...(s ?? {}) };
  }
  async saveState(patch: Record<string, unknown>) {
    this.st = { ...this.st, ...JSON.parse(JSON.stringify(patch)) };
  }
  report(_p: Partial<ProgressFigures>) {
    /* tunnels report through reportTunnel */
  }
  complete(manifest: FileManifest) {
    this.completed = manifest;
    this.ended();
  }
  fail(code: string, message: string) {
    this.failed = { code, message };
    this.ended();
  }
  reportTunnel(info: TunnelFigures, event?: { type: string; message: string }) {
    this.figures = { ...info };
    if (event) this.events.push({ ...event, figures: { ...info } });
  }
  eventsOf(type: string): RecordedEvent[] {
    return this.events.filter((e) => e.type === type);
  }
  /** the same transfer, as the gateway rebuilds it after a restart */
  restarted(): TunnelHandle {
    const h = new TunnelHandle(this.id, this.role, this.tunnel);
    h.setState(JSON.parse(JSON.stringify(this.st)));
    return h;
  }
}
