import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { DomainError } from '@ferry/contracts';
import type { Request } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { CORE_CONFIG, CoreConfig } from '../config/core-config';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * /metrics is open when FERRY_METRICS_TOKEN is not set (bind the core to a private address then);
 * with it, the scraper must send `Authorization: Bearer <FERRY_METRICS_TOKEN>`. API tokens do not
 * work here, and this token works nowhere else.
 */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  private readonly expected: Buffer | null;

  constructor(@Inject(CORE_CONFIG) config: CoreConfig) {
    this.expected = config.metricsToken ? digest(config.metricsToken) : null;
  }

  canActivate(ctx: ExecutionContext): boolean {
    if (!this.expected) return true;
    const h = ctx.switchToHttp().getRequest<Request>().headers.authorization;
    const m = typeof h === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
    // compare digests: constant time, and equal lengths whatever was sent
    if (!m || !timingSafeEqual(digest(m[1]), this.expected)) {
      throw new DomainError('UNAUTHENTICATED', 'metrics need Authorization: Bearer <FERRY_METRICS_TOKEN>');
    }
    return true;
  }
}
