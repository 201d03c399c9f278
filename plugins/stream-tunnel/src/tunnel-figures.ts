import type { TransferHandle, TunnelFigures } from '@ferry/plugin-sdk';

export type TunnelEventType =
  | 'listening'
  | 'connection-opened'
  | 'connection-closed'
  | 'connection-refused'
  | 'stopped';

/**
 * Live figures of one tunnel at one gateway, reported through t.reportTunnel. Byte counts change
 * with every chunk, so figure-only reports are coalesced (at most one per REPORT_INTERVAL_MS);
 * events are reported at once, each carrying the current figures.
 */
const REPORT_INTERVAL_MS = 250;

export class TunnelFiguresReporter {
  private readonly figures: TunnelFigures = { listenAddress: null, connectionsOpen: 0, connectionsTotal: 0, bytesAtoB: 0, bytesBtoA: 0 };
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly handle: TransferHandle) {}

  snapshot(): TunnelFigures {
    return { ...this.figures };
  }

  setListenAddress(address: string | null) {
    this.figures.listenAddress = address;
  }

  connectionOpened() {
    this.figures.connectionsOpen++;
    this.figures.connectionsTotal++;
  }

  connectionClosed() {
    this.figures.connectionsOpen = Math.max(0, this.figures.connectionsOpen - 1);
  }

  addBytes(direction: 'AtoB' | 'BtoA', n: number) {
    if (direction === 'AtoB') this.figures.bytesAtoB += n;
    else this.figures.bytesBtoA += n;
    this.scheduleFigures();
  }

  event(type: TunnelEventType, message: string) {
    if (this.closed && type !== 'stopped') return;
    this.handle.reportTunnel?.(this.snapshot(), { type, message });
  }

  /** Send the last figures now and stop reporting (the tunnel is over at this gateway). */
  close(finalEvent?: { type: TunnelEventType; message: string }) {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.closed) return;
    this.closed = true;
    this.figures.connectionsOpen = 0;
    this.handle.reportTunnel?.(this.snapshot(), finalEvent);
  }

  private scheduleFigures() {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.closed) this.handle.reportTunnel?.(this.snapshot());
    }, REPORT_INTERVAL_MS);
    this.timer.unref();
  }
}
