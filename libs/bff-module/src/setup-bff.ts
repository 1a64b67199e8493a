import { resolve } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { BffConfig } from '@bff/config';
import { BffMetrics } from '@bff/metrics';
import { ApiProxy } from '@bff/proxy';
import { BffWsAdapter, UpgradeAuthenticator } from '@bff/realtime';
import { BffTracing } from '@bff/tracing';
import { accessLogWriter } from './access-log';
import { takeOverHttpEdge, takeOverLoopbackBindings } from './http-edge';
import { httpMetricsRecorder } from './http-metrics';
import { registerManagementListener } from './management-listener';
import { RequestCompletions } from './request-completion';
import { registerRequestBodyDeadline } from './request-body-deadline';
import { requestIdGenerator } from './request-id';
import { RequestTracing } from './request-tracing';
import { registerSecurityHeaders } from './security-headers';
import { watchUpgrades } from './upgrade-completion';

/**
 * The one call a host's `main.ts` makes after
 * `NestFactory.create(AppModule, new FastifyAdapter())` and before `listen`:
 * the HTTP edge, cookies, request ids, security headers, the request-body
 * deadline, HTTP metrics, the access log and (when configured) a SERVER span per request, the management listener when
 * configured, the `/api` proxy, the static SPA when configured, and the
 * WebSocket adapter for `/ws`. `AppModule` must import `BffModule`.
 */
export async function setupBff(app: NestFastifyApplication): Promise<void> {
  const config = app.get(BffConfig);
  const fastify = app.getHttpAdapter().getInstance();
  const tracing = app.get(BffTracing);
  const scheme = new URL(config.server.publicUrl).protocol.slice(0, -1);
  const completions = new RequestCompletions(tracing.enabled ? new RequestTracing(tracing, scheme) : undefined);
  completions.listen(httpMetricsRecorder(app.get(BffMetrics)));
  if (config.server.accessLog) completions.listen(accessLogWriter(fastify.log));
  const requestId = requestIdGenerator(config.server.trustProxy);
  takeOverHttpEdge(fastify.server, completions);
  takeOverLoopbackBindings(fastify, completions);
  watchUpgrades(fastify.server, completions, requestId);
  // First of the hooks, so that a request answered by a later one still has its route and id.
  completions.registerRouting(fastify);
  fastify.setGenReqId(requestId);
  if (!fastify.hasRequestDecorator('cookies')) await app.register(fastifyCookie);
  registerSecurityHeaders(fastify, config.server.publicUrl);
  registerRequestBodyDeadline(fastify, config.server.requestBodyTimeoutMs);
  // After the security headers: a request turned away from the wrong port carries them like any 404.
  registerManagementListener(fastify, completions, config.server);
  await app.register(app.get(ApiProxy).plugin);
  if (config.server.staticDir !== undefined) {
    await app.register(fastifyStatic, { root: resolve(config.server.staticDir), prefix: '/', index: ['index.html'] });
  }
  app.useWebSocketAdapter(new BffWsAdapter(app, app.get(UpgradeAuthenticator), config.realtime));
}
