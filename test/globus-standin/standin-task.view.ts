import { globusTime, type StandinTask, type TaskEvent } from './standin-model';

/** The task document as GET /v0.10/task/<id> and task_list return it. */
export function taskDocument(t: StandinTask): Record<string, unknown> {
  const plan = t.plan ?? [];
  const done = plan.filter((f) => f.done).length;
  const ended = t.status === 'SUCCEEDED' || t.status === 'FAILED';
  const elapsed = t.started_at ? Math.max(1, ((ended && t.completion_time ? Date.parse(t.completion_time) : Date.now()) - t.started_at) / 1000) : 0;
  const canceled = t.fatal_error?.code === 'CANCELED';
  return {
    DATA_TYPE: 'task',
    task_id: t.task_id,
    type: t.type,
    status: t.status,
    label: t.label,
    owner_id: t.owner,
    nice_status: ended ? null : t.nice_status,
    nice_status_short_description: ended ? null : t.nice_status_short_description,
    nice_status_details: null,
    fatal_error: t.fatal_error,
    request_time: t.request_time,
    completion_time: t.completion_time,
    deadline: t.deadline,
    source_endpoint_id: t.source_endpoint_id,
    destination_endpoint_id: t.destination_endpoint_id,
    source_endpoint_display_name: null,
    destination_endpoint_display_name: null,
    files: t.files,
    directories: t.directories,
    files_skipped: t.files_skipped,
    files_transferred: t.files_transferred,
    bytes_transferred: t.bytes_transferred,
    bytes_checksummed: t.bytes_checksummed,
    effective_bytes_per_second: elapsed ? Math.floor(t.bytes_transferred / elapsed) : 0,
    faults: t.faults,
    subtasks_total: plan.length,
    subtasks_pending: ended ? 0 : plan.length - done,
    subtasks_retrying: !ended && t.nice_status && !['OK', 'Queued'].includes(t.nice_status) ? 1 : 0,
    subtasks_succeeded: done,
    subtasks_failed: t.status === 'FAILED' && !canceled ? plan.length - done : 0,
    subtasks_canceled: canceled ? plan.length - done : 0,
    subtasks_expired: t.fatal_error?.code === 'EXPIRED' ? plan.length - done : 0,
    is_paused: t.is_paused,
    canceled_by_admin: t.canceled_by_admin,
    canceled_by_admin_message: null,
    sync_level: t.sync_level,
    verify_checksum: t.verify_checksum,
    encrypt_data: t.encrypt_data,
    preserve_timestamp: false,
    skip_source_errors: false,
    fail_on_quota_errors: false,
    history_deleted: false,
    is_ok: ended ? null : !t.nice_status || ['OK', 'Queued'].includes(t.nice_status),
  };
}

export function makeEvent(code: string, description: string, isError = false, details = ''): TaskEvent {
  return { DATA_TYPE: 'event', code, description, details, is_error: isError, time: globusTime(Date.now()) };
}
