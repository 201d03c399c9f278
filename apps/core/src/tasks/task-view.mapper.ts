import type { TaskView } from '@ferry/contracts';
import type { TaskEntity } from '../persistence/entities';
import { allowedOperations } from './task-state';

/** The API's view of a task; `operations` are only those possible right now. */
export function toTaskView(t: TaskEntity): TaskView {
  return {
    id: t.id,
    kind: t.kind,
    state: t.state,
    label: t.label,
    mechanism: t.mechanism,
    sourceProviderId: t.sourceProviderId,
    destinationProviderId: t.destinationProviderId,
    sourceLabel: t.sourceLabel,
    destinationLabel: t.destinationLabel,
    progress: {
      bytesDone: t.bytesDone,
      bytesTotal: t.bytesTotal,
      filesDone: t.filesDone,
      filesTotal: t.filesTotal,
      rate: t.rate,
      eta: t.eta,
      message: t.message,
    },
    operations: allowedOperations(t.operations, t.state),
    error: t.error,
    ...(t.tunnel ? { tunnel: t.tunnel } : {}),
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
    finishedAt: t.finishedAt ? t.finishedAt.toISOString() : null,
  };
}
