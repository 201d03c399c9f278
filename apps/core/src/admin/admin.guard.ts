import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { DomainError } from '@ferry/contracts';
import type { Request } from 'express';
import type { AuthUser } from '../auth/auth.decorators';

/** On every /api/admin controller, after TokenGuard: only users with the admin flag (else 403 FORBIDDEN). */
@Injectable()
export class AdminGuard implements CanActivate {
  canActivate(ctx: ExecutionContext): boolean {
    const user = ctx.switchToHttp().getRequest<Request & { user?: AuthUser }>().user;
    if (!user?.admin) throw new DomainError('FORBIDDEN', 'the admin API is for admin users only');
    return true;
  }
}
