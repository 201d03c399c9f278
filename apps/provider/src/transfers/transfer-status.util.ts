import type { GatewayTransferStatus } from '@ferry/contracts';
import type { TransferRecord } from '../persistence/transfer.record';

export function toStatus(r: TransferRecord): GatewayTransferStatus {
  return {
    transferId: r.transferId,
    role: r.role,
    phase: r.phase === 'preparing' ? 'prepared' : r.phase,
    seq: r.seq,
    progress: r.progress,
    ...(r.error ? { error: r.error } : {}),
  };
}
