import type { Logger } from '@nestjs/common';
import { DomainError, findUnsafeInput, MAX_INPUT_DEPTH } from '@ferry/contracts';
import type { NextFunction, Request, Response } from 'express';
import { sendError } from '../errors/domain-exception.filter';

/** Deeper than any body the API takes (a few levels), far below what would exhaust the stack. */
export const MAX_BODY_DEPTH = MAX_INPUT_DEPTH;

/**
 * Refuses, with 400 VALIDATION_FAILED, what no endpoint can take and what used to end as a 500:
 * - a NUL character (U+0000) anywhere in the path, query string or JSON body: PostgreSQL can store
 *   text or jsonb with NUL, nor even compare a parameter holding one, so the query failed;
 * - a JSON body nested deeper than MAX_BODY_DEPTH: class-transformer (the DTO pipe) recursed into
 *   it until the stack ran out.
 * One check here instead of one per field. A NUL in a drive path (a field or query parameter named
 * `path`) is BAD_PATH, as normalizeDrivePath would say.
 */
export function inputGuard(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const problem = problemIn(req);
    if (!problem) return next();
    sendError(res, req, problem, logger);
  };
}

function problemIn(req: Request): DomainError | null {
  const invalid = (why: string) => new DomainError('VALIDATION_FAILED', `invalid request: ${why}`);
  if (decoded(req.path).includes('\0')) return invalid('the URL path contains a NUL character');
  for (const [where, value] of [['query string', req.query], ['body', req.body]] as const) {
    const found = findUnsafeInput(value, MAX_BODY_DEPTH);
    if (found === 'deep') return invalid(`the ${where} is nested deeper than ${MAX_BODY_DEPTH} levels`);
    if (found === 'path') return new DomainError('BAD_PATH', `a path in the ${where} contains a NUL byte`);
    if (found) return invalid(`the ${where} contains a NUL character`);
  }
  return null;
}

function decoded(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path; // malformed escapes are the router's to refuse
  }
}
