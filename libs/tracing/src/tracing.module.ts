import { Module, type OnApplicationShutdown } from '@nestjs/common';
import { TracingConfig } from '@bff/config';
import { BffTracing } from './tracing';

/**
 * Provides {@link BffTracing}, started from {@link TracingConfig} when the module is built,
 * before any module that calls out (the IdP discovery at boot already has its span). Needs
 * `TracingConfig` from the BFF's configuration (BffModule provides it). Spans still buffered
 * are exported when the application shuts down, after the HTTP server closed.
 */
@Module({
  providers: [
    { provide: BffTracing, inject: [TracingConfig], useFactory: (config: TracingConfig) => BffTracing.start(config) },
  ],
  exports: [BffTracing],
})
export class TracingModule implements OnApplicationShutdown {
  constructor(private readonly tracing: BffTracing) {}

  async onApplicationShutdown(): Promise<void> {
    await this.tracing.shutdown();
  }
}
