import { DomainError } from './error-codes';

/**
 * Normalizes a path inside a drive to a clean relative POSIX path ('' for the root).
 * Refuses (BAD_PATH) anything that could escape: '..' segments, NUL bytes, backslashes,
 * over-long input. A leading '/' means the drive root, not the host's root.
 * Used by the core *and* again by gateways (defence in depth).
 */
export function normalizeDrivePath(input: unknown, what = 'path'): string {
  if (typeof input !== 'string') throw new DomainError('BAD_PATH', `${what} must be a string`);
  if (input.length > 4096) throw new DomainError('BAD_PATH', `${what} is longer than 4096 characters`);
  if (input.includes('\0')) throw new DomainError('BAD_PATH', `${what} contains a NUL byte`);
  if (input.includes('\\')) throw new DomainError('BAD_PATH', `${what} contains a backslash`);
  const parts: string[] = [];
  for (const seg of input.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') throw new DomainError('BAD_PATH', `${what} may not contain '..' (it would leave the drive)`);
    parts.push(seg);
  }
  return parts.join('/');
}
