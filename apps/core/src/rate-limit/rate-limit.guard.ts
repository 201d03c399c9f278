import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError } from '@ferry/contracts';
import type { Request } from 'express';
import { PUBLIC_ROUTE } from '../auth/auth.decorators';
import type { AuthenticatedRequest } from '../auth/token.guard';
import { CORE_CONFIG, CoreConfig } from '../config/core-config';
import { CoreMetrics } from '../metrics/core-metrics.service';
import { TokenBuckets } from './token-bucket';

/**
 * Global guard after TokenGuard: FERRY_RATE_LIMIT_PER_MINUTE requests per minute per API token
 * (bursts up to the same number), else 429 RATE_LIMITED with Retry-After. Public routes (gateway
 * reports, health, metrics) are not limited here; unauthenticated requests never get this far.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly buckets: TokenBuckets | null;

  constructor(
    @Inject(CORE_CONFIG) config: CoreConfig,
    private readonly reflector: Reflector,
    private readonly metrics: CoreMetrics,
  ) {
    this.buckets = config.rateLimitPerMinute > 0 ? new TokenBuckets(config.rateLimitPerMinute) : null;
  }

  canActivate(ctx: ExecutionContext): boolean {
    if (!this.buckets) return true;
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [ctx.getHandler(), ctx.getClass()])) return true;
    const req = ctx.switchToHttp().getRequest<Request & AuthenticatedRequest>();
    if (!req.tokenHash) return true;
    const r = this.buckets.take(req.tokenHash);
    if (r.ok) return true;
    this.metrics.rateLimited.inc();
    const retryAfterSeconds = Math.max(1, Math.ceil(r.retryAfterMs / 1000));
    throw new DomainError('RATE_LIMITED', `more than ${this.buckets.perMinute} requests a minute with this token; retry in ${retryAfterSeconds} s`, {
      retryAfterSeconds,
    });
  }
}
