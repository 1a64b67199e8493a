import 'reflect-metadata';
import { bffOptionsFromEnv } from '@bff/bff-module';
import { createExampleHost } from './create-example-host';

/** `node dist/apps/example-host/src/main.js`: the example host, configured like the standalone BFF. */
async function main(): Promise<void> {
  const options = bffOptionsFromEnv(process.env);
  const app = await createExampleHost(options);
  const port = options.server?.port ?? 3000;
  // With BFF_MANAGEMENT_PORT set, setupBff opens that listener too when the app listens.
  await app.listen({ port, host: options.server?.host ?? 'localhost' });
  const management = options.server?.managementPort;
  const where = management === undefined ? '' : `; /metrics and /health/* on port ${String(management)}`;
  console.log(`example host listening${where}; open http://localhost:${String(port)}/local/dashboard after logging in`);
}

main().catch((error: unknown) => {
  console.error(`example host failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
