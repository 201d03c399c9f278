import { Controller, Get, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { ReadinessView } from '@ferry/contracts';
import type { Response } from 'express';
import { CheckReadinessQuery } from './queries/check-readiness.query';

/**
 * Probes for orchestrators and load balancers: unsigned, outside /ferry/v1. They reveal whether the
 * database and the core answer, nothing about transfers.
 */
@Controller('health')
export class HealthController {
  constructor(private readonly queries: QueryBus) {}

  /** The process is up and serving HTTP. */
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** 200 when the database answers; 503 (same body) otherwise. The core's check is informative. */
  @Get('ready')
  async ready(@Res({ passthrough: true }) res: Response): Promise<ReadinessView> {
    const view = await this.queries.execute(new CheckReadinessQuery());
    res.status(view.status === 'ready' ? 200 : 503);
    return view;
  }
}
