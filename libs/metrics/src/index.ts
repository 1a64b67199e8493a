export { BffMetrics } from './bff-metrics';
export { bindCounter, bindHistogram, type BoundCounter, type BoundHistogram } from './bound-metrics';
export { MetricsModule } from './metrics.module';
