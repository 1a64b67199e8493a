export { BffMetrics } from './bff-metrics';
export { MetricsModule } from './metrics.module';
