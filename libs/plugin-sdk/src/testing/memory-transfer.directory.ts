import type { TransferDirectory } from '../plugin-context';
import type { TransferHandle } from '../plugin.contract';

/** The gateway's directory of not-ended transfers, in memory: added at prepare, removed at the end. */
export class MemoryTransferDirectory implements TransferDirectory {
  private readonly handles = new Map<string, TransferHandle>();

  add(t: TransferHandle): void {
    this.handles.set(t.id, t);
  }

  /** the transfer ended (finalized): plugins no longer find it */
  end(id: string): void {
    this.handles.delete(id);
  }

  async get(transferId: string): Promise<TransferHandle | undefined> {
    return this.handles.get(transferId);
  }

  async active(): Promise<TransferHandle[]> {
    return [...this.handles.values()];
  }
}
