import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigValidationError, loadConfig, type BffConfig } from '@bff/config';
import { createBffApp } from './create-bff-app';

function configOrExit(): BffConfig {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

async function main(): Promise<void> {
  const config = configOrExit();
  const app = await createBffApp(config);
  await app.listen({ port: config.server.port, host: config.server.host });
  new Logger('Bff').log(`BFF listening on port ${String(config.server.port)}; open ${config.server.publicUrl}/`);
}

process.on('unhandledRejection', (reason) => {
  // DESIGN.md: no unhandled rejection kills the process. Logged without request data.
  new Logger('Process').error(`unhandled rejection: ${reason instanceof Error ? reason.message : String(reason)}`);
});

main().catch((error: unknown) => {
  console.error(`BFF failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
