import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { DomainError } from '@ferry/contracts';
import { bearerTokenCheck } from '@ferry/ops';
import type { Request } from 'express';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config';

/**
 * GET /metrics is open when `metricsToken` is not configured (keep the port private then); with it,
 * the scraper sends `Authorization: Bearer <metricsToken>`. Same check as the core's (@ferry/ops).
 */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  private readonly matches: (authorization: unknown) => boolean;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    this.matches = bearerTokenCheck(config.metricsToken);
  }

  canActivate(ctx: ExecutionContext): boolean {
    if (!this.matches(ctx.switchToHttp().getRequest<Request>().headers.authorization)) {
      throw new DomainError('UNAUTHENTICATED', 'metrics need Authorization: Bearer <metricsToken from the gateway config>');
    }
    return true;
  }
}
