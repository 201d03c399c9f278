import type { TransferView } from '@ferry/contracts';
import type { TaskEntity, TransferEntity } from '../persistence/entities';
import { toTaskView } from '../tasks/task-view.mapper';

export function toTransferView(x: TransferEntity, t: TaskEntity): TransferView {
  return {
    id: x.id,
    state: t.state,
    source: { driveId: x.sourceDriveId, path: x.sourcePath, providerId: x.sourceProviderId },
    destination: { driveId: x.destinationDriveId, path: x.destinationPath, providerId: x.destinationProviderId },
    options: x.options,
    mechanism: x.mechanism,
    userPublicKey: x.userPublicKey,
    offers: x.offers,
    triggerDeadline: x.triggerDeadline.toISOString(),
    rejection: x.rejection,
    task: toTaskView(t),
  };
}
