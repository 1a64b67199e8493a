import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { LogLevel } from '@nestjs/common';
import type { DestinationStream, LevelWithSilent } from 'pino';
import { BffLogController, setupBff, type BffConfig } from '@bff/bff-module';
import { tracingEnabled } from '@bff/tracing';
import { AppModule } from './app.module';
import { createPinoLogger, lazyChildLogger, PinoNestLogger } from './bff-logger';

/** Options of {@link createBffApp} that are about the process, not the product. */
export interface CreateBffAppOptions {
  /** Nest-style levels or false (silent); overrides BFF_LOG_LEVEL. */
  logger?: LogLevel[] | false;
  /** Where the JSON log lines go (default stdout); tests capture them here. */
  logDestination?: DestinationStream;
}

const NEST_TO_PINO: [LogLevel, LevelWithSilent][] = [
  ['verbose', 'trace'],
  ['debug', 'debug'],
  ['log', 'info'],
  ['warn', 'warn'],
  ['error', 'error'],
  ['fatal', 'fatal'],
];

function logLevelOf(config: BffConfig, option: CreateBffAppOptions['logger']): LevelWithSilent {
  if (option === undefined) return config.server.logLevel;
  if (option === false) return 'silent';
  return NEST_TO_PINO.find(([nest]) => option.includes(nest))?.[1] ?? 'silent';
}

/**
 * Builds the standalone BFF (not yet listening) the way any host does: Nest on
 * Fastify with the BFF's JSON logger, `BffModule` from the validated
 * configuration, then `setupBff`. Boot fails here, with a message naming the
 * variable, when Redis or the OpenID Provider cannot be reached.
 */
export async function createBffApp(
  config: BffConfig,
  options: CreateBffAppOptions = {},
): Promise<NestFastifyApplication> {
  const logger = createPinoLogger(logLevelOf(config, options.logger), options.logDestination, {
    traceIds: tracingEnabled(config.tracing),
  });
  const adapter = new FastifyAdapter({
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
    trustProxy: config.server.trustProxy,
    loggerInstance: logger,
    childLoggerFactory: lazyChildLogger,
    // One access line per request (BFF_ACCESS_LOG) instead of Fastify's two.
    logController: new BffLogController(),
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: new PinoNestLogger(logger),
    abortOnError: false,
  });
  await setupBff(app);
  await app.init();
  return app;
}
