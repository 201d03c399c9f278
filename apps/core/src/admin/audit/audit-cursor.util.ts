import { DomainError } from '@ferry/contracts';

/** Opaque keyset cursor of the audit log: the last id of a page. */
export function encodeAuditCursor(lastId: number): string {
  return Buffer.from(JSON.stringify({ a: lastId }), 'utf8').toString('base64url');
}

export function decodeAuditCursor(cursor: string): number {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { a?: unknown };
    if (typeof v.a === 'number' && Number.isSafeInteger(v.a) && v.a > 0) return v.a;
  } catch {
    // fall through
  }
  throw new DomainError('VALIDATION_FAILED', 'cursor: not a cursor this core made');
}
