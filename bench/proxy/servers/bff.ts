/**
 * The BFF built as apps/bff/src/main.ts builds it (config from the environment). With
 * `logs: 'defaults'` it logs exactly as `npm start` does (BFF_LOG_LEVEL, `info` by default, and
 * the access log, to stdout); with `logs: 'errors'` it logs errors only (the tuned rows).
 * `dropSpans` is bench:instructions' measure of the tracing SDK alone (see protocol.ts).
 */
import 'reflect-metadata';
import { createBffApp } from '@bff/bff';
import { loadConfig } from '@bff/config';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { serve } from '../../common/serve';
import { roleArgs } from '../protocol';

serve(async () => {
  const { logs, dropSpans } = roleArgs('bff');
  if (dropSpans) {
    // Ended spans never reach the queue, so nothing is serialized or sent: the row then shows
    // the SDK's own per-span work (its spans, context propagation, ids), the floor under any exporter.
    BatchSpanProcessor.prototype.onEnd = () => undefined;
  }
  const config = loadConfig(process.env);
  const app = await createBffApp(config, logs === 'defaults' ? {} : { logger: ['error'] });
  await app.listen({ port: config.server.port, host: config.server.host });
  return { url: config.server.publicUrl, close: () => app.close() };
});
