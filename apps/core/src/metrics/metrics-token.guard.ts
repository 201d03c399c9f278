import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { DomainError } from '@ferry/contracts';
import { bearerTokenCheck } from '@ferry/ops';
import type { Request } from 'express';
import { CORE_CONFIG, CoreConfig } from '../config/core-config';

/**
 * /metrics is open when FERRY_METRICS_TOKEN is not set (bind the core to a private address then);
 * with it, the scraper must send `Authorization: Bearer <FERRY_METRICS_TOKEN>`. API tokens do not
 * work here, and this token works nowhere else. The comparison is shared with the gateway (@ferry/ops).
 */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  private readonly matches: (authorization: unknown) => boolean;

  constructor(@Inject(CORE_CONFIG) config: CoreConfig) {
    this.matches = bearerTokenCheck(config.metricsToken);
  }

  canActivate(ctx: ExecutionContext): boolean {
    if (!this.matches(ctx.switchToHttp().getRequest<Request>().headers.authorization)) {
      throw new DomainError('UNAUTHENTICATED', 'metrics need Authorization: Bearer <FERRY_METRICS_TOKEN>');
    }
    return true;
  }
}
