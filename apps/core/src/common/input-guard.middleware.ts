import type { Logger } from '@nestjs/common';
import { DomainError } from '@ferry/contracts';
import type { NextFunction, Request, Response } from 'express';
import { sendError } from '../errors/domain-exception.filter';

/** Deeper than any body the API takes (a few levels), far below what would exhaust the stack. */
export const MAX_BODY_DEPTH = 32;

/**
 * Refuses, with 400 VALIDATION_FAILED, what no endpoint can take and what used to end as a 500:
 * - a NUL character (U+0000) anywhere in the path, query string or JSON body: PostgreSQL can store
 *   text or jsonb with NUL, nor even compare a parameter holding one, so the query failed;
 * - a JSON body nested deeper than MAX_BODY_DEPTH: class-transformer (the DTO pipe) recursed into
 *   it until the stack ran out.
 * One check here instead of one per field.
 */
export function inputGuard(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const problem = problemIn(req);
    if (!problem) return next();
    sendError(res, req, new DomainError('VALIDATION_FAILED', `invalid request: ${problem}`), logger);
  };
}

function problemIn(req: Request): string | null {
  if (decoded(req.path).includes('\0')) return 'the path contains a NUL character';
  if (inspect(req.query) === 'nul') return 'the query string contains a NUL character';
  const body = inspect(req.body);
  if (body === 'nul') return 'the body contains a NUL character';
  if (body === 'deep') return `the body is nested deeper than ${MAX_BODY_DEPTH} levels`;
  return null;
}

function decoded(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path; // malformed escapes are the router's to refuse
  }
}

/** Walks a parsed value without recursion (it may nest thousands deep). */
function inspect(value: unknown): 'nul' | 'deep' | null {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\0')) return 'nul';
    } else if (v && typeof v === 'object') {
      if (depth >= MAX_BODY_DEPTH) return 'deep';
      for (const [k, c] of Object.entries(v)) {
        if (k.includes('\0')) return 'nul';
        stack.push([c, depth + 1]);
      }
    }
  }
  return null;
}
