import { Global, Module } from '@nestjs/common';
import { BffMetrics } from './bff-metrics';

/** One {@link BffMetrics} per application, available to every lib. */
@Global()
@Module({ providers: [BffMetrics], exports: [BffMetrics] })
export class MetricsModule {}
