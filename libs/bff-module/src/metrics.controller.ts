import { Controller, Get, Header, UseFilters } from '@nestjs/common';
import { BffExceptionFilter } from '@bff/errors';
import { BffMetrics } from '@bff/metrics';

/** `GET /metrics`: Prometheus text. Scrape it from inside; do not expose it publicly. */
// The BFF's own answers keep their JSON shape inside a host with other filters.
@UseFilters(BffExceptionFilter)
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
