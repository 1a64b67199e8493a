/**
 * The BFF built as apps/bff/src/main.ts builds it (config from the environment). With
 * `logs: 'defaults'` it logs exactly as `npm start` does (BFF_LOG_LEVEL, `info` by default, and
 * the access log, to stdout); with `logs: 'errors'` it logs errors only (the tuned rows).
 */
import 'reflect-metadata';
import { createBffApp } from '@bff/bff';
import { loadConfig } from '@bff/config';
import { serve } from '../../common/serve';
import { roleArgs } from '../protocol';

serve(async () => {
  const { logs } = roleArgs('bff');
  const config = loadConfig(process.env);
  const app = await createBffApp(config, logs === 'defaults' ? {} : { logger: ['error'] });
  await app.listen({ port: config.server.port, host: config.server.host });
  return { url: config.server.publicUrl, close: () => app.close() };
});
