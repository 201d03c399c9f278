import type { ProgressFigures } from '@ferry/contracts';
import type { GlobusTaskDocument } from './globus.types';

export type TaskOutcome =
  | { kind: 'running' }
  | { kind: 'succeeded' }
  | { kind: 'failed'; code: string; message: string; cancelled: boolean };

/** nice_status values that mean "going fine" rather than a problem to show */
const CALM = new Set(['OK', 'Queued', null, undefined, '']);

/**
 * Ferry progress from a Globus task document. bytesTotal/filesTotal come from the manifest taken
 * at submission (the task document has no byte total; `files` grows while Globus expands folders).
 */
export function progressOf(doc: GlobusTaskDocument, totals: { bytes: number; files: number } | null): Partial<ProgressFigures> {
  const bytesDone = doc.bytes_transferred ?? 0;
  const bytesTotal = totals ? totals.bytes : null;
  const rate = doc.effective_bytes_per_second > 0 ? doc.effective_bytes_per_second : null;
  const filesDone = (doc.files_transferred ?? 0) + (doc.files_skipped ?? 0);
  const filesTotal = doc.files > 0 ? doc.files : totals ? totals.files : null;
  return {
    // a re-sent file (checksum retry) can push bytes past the total; the bar must not
    bytesDone: bytesTotal !== null ? Math.min(bytesDone, bytesTotal) : bytesDone,
    bytesTotal,
    filesDone,
    filesTotal,
    rate,
    eta: rate && bytesTotal !== null ? Math.max(0, Math.round((bytesTotal - bytesDone) / rate)) : null,
    message: messageOf(doc),
  };
}

/** What the task page shows: Globus's own status words when something is wrong or waiting. */
export function messageOf(doc: GlobusTaskDocument): string | null {
  const desc = doc.nice_status_short_description;
  if (doc.status === 'INACTIVE') return `Globus task ${doc.task_id} is INACTIVE (suspended)${desc ? `: ${desc}` : ''}`;
  if (doc.status === 'ACTIVE' && doc.nice_status === 'Queued') return `Queued at Globus (task ${doc.task_id})`;
  if (doc.status === 'ACTIVE' && !CALM.has(doc.nice_status)) {
    return `Globus reports ${doc.nice_status}${desc && desc !== doc.nice_status ? `: ${desc}` : ''} (task ${doc.task_id}; Globus keeps retrying)`;
  }
  if (doc.status === 'ACTIVE') return `Globus task ${doc.task_id} transferring`;
  return null;
}

/** Only the task status decides success; events never do. */
export function outcomeOf(doc: GlobusTaskDocument): TaskOutcome {
  if (doc.status === 'SUCCEEDED') return { kind: 'succeeded' };
  if (doc.status !== 'FAILED') return { kind: 'running' };
  const fe = doc.fatal_error;
  const cancelled = fe?.code === 'CANCELED';
  const code = cancelled ? 'CANCELLED' : fe?.code === 'PERMISSION_DENIED' || fe?.code === 'CONSENT_REQUIRED' ? 'PERMISSION_DENIED' : 'REMOTE_ERROR';
  const why = fe ? `${fe.code}: ${fe.description}` : doc.nice_status ? `${doc.nice_status}` : 'no reason given';
  return { kind: 'failed', code, message: `Globus task ${doc.task_id} failed: ${why}`, cancelled };
}
