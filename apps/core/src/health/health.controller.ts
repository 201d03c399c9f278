import { Controller, Get, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiExcludeController } from '@nestjs/swagger';
import type { ReadinessView } from '@ferry/contracts';
import type { Response } from 'express';
import { Public } from '../auth/auth.decorators';
import { CheckReadinessQuery } from './queries/check-readiness.query';

/**
 * Probes for orchestrators and load balancers, outside /api and without a token (they reveal
 * provider ids and whether gateways answer, nothing else).
 */
@ApiExcludeController()
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly queries: QueryBus) {}

  /** The process is up and serving HTTP. */
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** 200 when the database and every registered gateway answer; 503 (same body) otherwise. */
  @Get('ready')
  async ready(@Res({ passthrough: true }) res: Response): Promise<ReadinessView> {
    const view = await this.queries.execute(new CheckReadinessQuery());
    res.status(view.status === 'ready' ? 200 : 503);
    return view;
  }
}
