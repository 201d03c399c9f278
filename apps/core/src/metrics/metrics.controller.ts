import { Controller, Get, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/auth.decorators';
import { CoreMetrics } from './core-metrics.service';
import { MetricsTokenGuard } from './metrics-token.guard';

/** GET /metrics: Prometheus text exposition (outside /api; FERRY_METRICS_TOKEN instead of API tokens). */
@ApiExcludeController()
@Public()
@UseGuards(MetricsTokenGuard)
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: CoreMetrics) {}

  @Get()
  async scrape(@Res() res: Response): Promise<void> {
    const { contentType, body } = await this.metrics.exposition();
    // end() rather than send(): express would rewrite the content type's parameters
    res.status(200).setHeader('content-type', contentType);
    res.end(body);
  }
}
