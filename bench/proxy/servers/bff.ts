/** The BFF built as apps/bff/src/main.ts builds it (config from the environment), logging errors only. */
import 'reflect-metadata';
import { createBffApp } from '@bff/bff';
import { loadConfig } from '@bff/config';
import { serve } from '../../common/serve';

serve(async () => {
  const config = loadConfig(process.env);
  const app = await createBffApp(config, { logger: ['error'] });
  await app.listen({ port: config.server.port, host: config.server.host });
  return { url: config.server.publicUrl, close: () => app.close() };
});
