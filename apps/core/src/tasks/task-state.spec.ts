import { allowedOperations } from './task-state';
import { decodeCursor, encodeCursor } from './task-cursor.util';

describe('allowedOperations', () => {
  it('offers only what the mechanism declares and the state allows', () => {
    expect(allowedOperations(['pause', 'resume', 'cancel'], 'RUNNING')).toEqual(['pause', 'cancel']);
    expect(allowedOperations(['pause', 'resume', 'cancel'], 'PAUSED')).toEqual(['resume', 'cancel']);
    expect(allowedOperations(['cancel'], 'RUNNING')).toEqual(['cancel']);
    expect(allowedOperations(['pause', 'resume', 'cancel'], 'AWAITING_TRIGGER')).toEqual(['cancel']);
  });

  it('offers nothing in end states or while finalizing', () => {
    for (const s of ['FINALIZING', 'SUCCEEDED', 'FAILED', 'CANCELLED', 'EXPIRED', 'REJECTED'] as const) {
      expect(allowedOperations(['pause', 'resume', 'cancel'], s)).toEqual([]);
    }
  });
});

describe('task cursor', () => {
  it('round-trips (created_at, id) exactly', () => {
    const at = new Date('2026-05-01T10:20:30.456Z');
    const id = '3f0c2a44-7d8e-4d5b-9a61-0b9a3c2d1e0f';
    expect(decodeCursor(encodeCursor(at, id))).toEqual({ createdAt: at, id });
  });

  it('refuses cursors it did not make (VALIDATION_FAILED)', () => {
    for (const c of ['', 'abc', Buffer.from("1.'; DROP TABLE tasks").toString('base64url')]) {
      expect(() => decodeCursor(c)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    }
  });
});
