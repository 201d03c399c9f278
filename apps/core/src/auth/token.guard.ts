import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash } from 'node:crypto';
import type { Request } from 'express';
import { DomainError } from '@ferry/contracts';
import { UserRepository } from '../persistence/repositories';
import { AuthUser, PUBLIC_ROUTE, TOKEN_IN_QUERY } from './auth.decorators';

/** sha256 hex: how tokens are stored and looked up (the clear token is never stored). */
export const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/** What TokenGuard leaves on a request it let through. */
export interface AuthenticatedRequest {
  user?: AuthUser;
  /** sha256 of the bearer token: the rate limiter's key (never the token itself) */
  tokenHash?: string;
}

/**
 * Global guard: every route needs `Authorization: Bearer <token>` of a live token unless marked
 * @Public() (the gateway-facing routes, which check request signatures instead).
 */
@Injectable()
export class TokenGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly users: UserRepository,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const req = ctx.switchToHttp().getRequest<Request & AuthenticatedRequest>();
    const token = bearer(req) ?? (this.reflector.getAllAndOverride<boolean>(TOKEN_IN_QUERY, targets) ? queryToken(req) : undefined);
    if (!token) throw new DomainError('UNAUTHENTICATED', 'missing bearer token (Authorization: Bearer <token>)');
    const tokenHash = hashToken(token);
    const user = await this.users.findByTokenHash(tokenHash);
    if (!user) throw new DomainError('UNAUTHENTICATED', 'unknown or revoked token (or its user is disabled)');
    req.user = { id: user.id, name: user.name, admin: user.admin };
    req.tokenHash = tokenHash;
    return true;
  }
}

function bearer(req: Request): string | undefined {
  const h = req.headers.authorization;
  const m = typeof h === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
  return m?.[1];
}

function queryToken(req: Request): string | undefined {
  const t = req.query?.access_token;
  return typeof t === 'string' && t ? t : undefined;
}
