import type { GlobusTaskDocument } from './globus.types';
import { messageOf, outcomeOf, progressOf } from './task-progress.mapper';

const doc = (over: Partial<GlobusTaskDocument>): GlobusTaskDocument => ({
  DATA_TYPE: 'task',
  task_id: 't-1',
  type: 'TRANSFER',
  status: 'ACTIVE',
  label: 'x',
  nice_status: 'OK',
  nice_status_short_description: 'OK',
  fatal_error: null,
  files: 4,
  files_transferred: 1,
  files_skipped: 1,
  bytes_transferred: 500,
  effective_bytes_per_second: 100,
  ...over,
});

describe('task-progress mapper', () => {
  it('maps bytes, files, rate and eta', () => {
    expect(progressOf(doc({}), { bytes: 1500, files: 4 })).toEqual({
      bytesDone: 500,
      bytesTotal: 1500,
      filesDone: 2,
      filesTotal: 4,
      rate: 100,
      eta: 10,
      message: 'Globus task t-1 transferring',
    });
    expect(progressOf(doc({ effective_bytes_per_second: 0, files: 0 }), null)).toMatchObject({ bytesTotal: null, filesTotal: null, rate: null, eta: null });
  });

  it('shows Queued, INACTIVE and nice_status errors in the message', () => {
    expect(messageOf(doc({ nice_status: 'Queued' }))).toBe('Queued at Globus (task t-1)');
    expect(messageOf(doc({ status: 'INACTIVE', nice_status_short_description: 'Credentials expired' }))).toContain('INACTIVE');
    expect(messageOf(doc({ nice_status: 'CONNECT_FAILED', nice_status_short_description: 'Could not connect to the server' }))).toBe(
      'Globus reports CONNECT_FAILED: Could not connect to the server (task t-1; Globus keeps retrying)',
    );
  });

  it('decides success only from status, and maps failures with the Globus words', () => {
    expect(outcomeOf(doc({ status: 'ACTIVE', nice_status: 'OK' }))).toEqual({ kind: 'running' });
    expect(outcomeOf(doc({ status: 'SUCCEEDED' }))).toEqual({ kind: 'succeeded' });
    expect(outcomeOf(doc({ status: 'FAILED', fatal_error: { code: 'PERMISSION_DENIED', description: 'nope' } }))).toEqual({
      kind: 'failed',
      code: 'PERMISSION_DENIED',
      message: 'Globus task t-1 failed: PERMISSION_DENIED: nope',
      cancelled: false,
    });
    expect(outcomeOf(doc({ status: 'FAILED', fatal_error: { code: 'CANCELED', description: 'c' } }))).toMatchObject({ code: 'CANCELLED', cancelled: true });
    expect(outcomeOf(doc({ status: 'FAILED', fatal_error: { code: 'EXPIRED', description: 'deadline' } }))).toMatchObject({ code: 'REMOTE_ERROR' });
  });
});
