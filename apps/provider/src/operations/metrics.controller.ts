import { Controller, Get, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { GatewayMetrics } from './gateway-metrics.service';
import { MetricsTokenGuard } from './metrics-token.guard';

/** GET /metrics: Prometheus text exposition (unsigned; optional bearer token `metricsToken`). */
@Controller('metrics')
@UseGuards(MetricsTokenGuard)
export class MetricsController {
  constructor(private readonly metrics: GatewayMetrics) {}

  @Get()
  async scrape(@Res() res: Response): Promise<void> {
    const { contentType, body } = await this.metrics.exposition();
    // end() rather than send(): express would rewrite the content type's parameters
    res.status(200).setHeader('content-type', contentType);
    res.end(body);
  }
}
