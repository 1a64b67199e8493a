import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import type { LogLevel } from '@nestjs/common';
import type { DestinationStream, LevelWithSilent } from 'pino';
import type { BffConfig } from '@bff/config';
import { BffMetrics } from '@bff/metrics';
import { ApiProxy } from '@bff/proxy';
import { BffWsAdapter, UpgradeAuthenticator } from '@bff/realtime';
import { resolve } from 'node:path';
import { AppModule } from './app.module';
import { createPinoLogger, lazyChildLogger, PinoNestLogger } from './bff-logger';
import { answerClientError, answerFrameworkError, refuseConnect } from './edge-errors';
import { registerRequestBodyDeadline } from './request-body-deadline';
import { registerSecurityHeaders } from './security-headers';

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

/** What a trusted proxy may call a request: a token, not free text for the logs. */
const PROXY_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Our own ids, so a client cannot plant one in the logs or pose as the BFF
 * upstream; behind a trusted proxy (BFF_TRUST_PROXY) its `X-Request-Id` is
 * kept, so one id follows the request through both.
 */
function requestIdGenerator(trustProxy: boolean): (request: { headers: Record<string, unknown> }) => string {
  if (!trustProxy) return () => randomUUID();
  return (request) => {
    const id = request.headers['x-request-id'];
    return typeof id === 'string' && PROXY_REQUEST_ID.test(id) ? id : randomUUID();
  };
}

/**
 * Builds the BFF (not yet listening): Nest on Fastify, cookies, security headers,
 * the static SPA when configured. Boot fails here, with a message naming the
 * variable, when Redis or the OpenID Provider cannot be reached.
 */
export async function createBffApp(
  config: BffConfig,
  options: CreateBffAppOptions = {},
): Promise<NestFastifyApplication> {
  const logger = createPinoLogger(logLevelOf(config, options.logger), options.logDestination);
  const adapter = new FastifyAdapter({
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
    trustProxy: config.server.trustProxy,
    loggerInstance: logger,
    childLoggerFactory: lazyChildLogger,
    genReqId: requestIdGenerator(config.server.trustProxy),
    clientErrorHandler: answerClientError,
    frameworkErrors: answerFrameworkError,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: new PinoNestLogger(logger),
    abortOnError: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  await app.register(fastifyCookie);
  registerSecurityHeaders(fastify, config.server.publicUrl);
  registerRequestBodyDeadline(fastify, config.server.requestBodyTimeoutMs);
  fastify.server.on('connect', refuseConnect);
  const metrics = app.get(BffMetrics);
  // Labelled children cached by key: prom-client would otherwise hash a label object twice per request.
  const recorders = new Map<string, { count(): void; time(seconds: number): void }>();
  fastify.addHook('onResponse', (request, reply, done) => {
    // The route pattern, not the URL, keeps the label set bounded.
    const route = request.routeOptions.url ?? 'unmatched';
    const status = String(reply.statusCode);
    const key = `${request.method} ${route} ${status}`;
    let recorder = recorders.get(key);
    if (!recorder) {
      const counter = metrics.httpRequests.labels(request.method, route, status);
      const histogram = metrics.httpDuration.labels(request.method, route, status);
      recorder = { count: () => counter.inc(), time: (seconds) => histogram.observe(seconds) };
      recorders.set(key, recorder);
    }
    recorder.count();
    recorder.time(reply.elapsedTime / 1000);
    done();
  });
  await app.register(app.get(ApiProxy).plugin);
  if (config.server.staticDir !== undefined) {
    await app.register(fastifyStatic, { root: resolve(config.server.staticDir), prefix: '/', index: ['index.html'] });
  }
  app.useWebSocketAdapter(new BffWsAdapter(app, app.get(UpgradeAuthenticator), config.realtime));
  await app.init();
  return app;
}
