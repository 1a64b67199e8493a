import { Controller, Get, Header } from '@nestjs/common';
import { BffMetrics } from '@bff/metrics';

/** `GET /metrics`: Prometheus text. Scrape it from inside; do not expose it publicly. */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: BffMetrics) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  async scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
