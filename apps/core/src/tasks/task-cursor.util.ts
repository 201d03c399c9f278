import { DomainError } from '@ferry/contracts';

/** Opaque keyset cursor over (created_at, id): base64url of "<ms>.<uuid>". */
export function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(`${createdAt.getTime()}.${id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const m = /^(\d{1,16})\.([0-9a-f-]{36})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new DomainError('VALIDATION_FAILED', 'cursor is not one this server handed out');
  return { createdAt: new Date(Number(m[1])), id: m[2] };
}
