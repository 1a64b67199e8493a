#!/usr/bin/env node
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConfigValidationError, loadConfig, type BffConfig } from '@bff/config';
import { createBffApp } from './create-bff-app';

const logger = new Logger('Bff');

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

/**
 * SIGTERM/SIGINT: Nest closes the sockets (1001), stops accepting, lets in-flight
 * requests finish, then closes Redis; the process exits 0, or 1 if that takes
 * longer than BFF_SHUTDOWN_TIMEOUT_MS.
 */
function exitGracefullyOn(app: NestFastifyApplication, timeoutMs: number): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal} received: shutting down`);
    setTimeout(() => {
      logger.error(`shutdown took longer than ${String(timeoutMs)} ms; exiting anyway`);
      process.exit(1);
    }, timeoutMs).unref();
    // Node closes idle keep-alive connections once, when close() is called; a connection whose
    // request finishes afterwards would otherwise stay open until its keep-alive timeout.
    const server = app.getHttpServer();
    setInterval(() => {
      server.closeIdleConnections();
    }, 100).unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

async function main(): Promise<void> {
  const config = configOrExit();
  const app = await createBffApp(config);
  await app.listen({ port: config.server.port, host: config.server.host });
  exitGracefullyOn(app, config.server.shutdownTimeoutMs);
  const { managementPort, managementHost } = config.server;
  // Started by app.listen (setupBff's management listener); named here so operators see both.
  const management =
    managementPort === undefined
      ? ''
      : `; /metrics, /health/*, /internal/* on ${managementHost}:${String(managementPort)}`;
  logger.log(`BFF listening on port ${String(config.server.port)}${management}; open ${config.server.publicUrl}/`);
}

process.on('unhandledRejection', (reason) => {
  // No unhandled rejection kills the process. Logged without request data.
  new Logger('Process').error(`unhandled rejection: ${reason instanceof Error ? reason.message : String(reason)}`);
});

main().catch((error: unknown) => {
  console.error(`BFF failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
