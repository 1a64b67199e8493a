import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { BffConfig } from '@bff/config';
import { BffMetrics } from '@bff/metrics';
import { ApiProxy } from '@bff/proxy';
import { BffWsAdapter, UpgradeAuthenticator } from '@bff/realtime';
import { takeOverHttpEdge } from './http-edge';
import { registerHttpMetrics } from './http-metrics';
import { registerRequestBodyDeadline } from './request-body-deadline';
import { registerSecurityHeaders } from './security-headers';

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
 * The one call a host's `main.ts` makes after
 * `NestFactory.create(AppModule, new FastifyAdapter())` and before `listen`:
 * the HTTP edge, cookies, request ids, security headers, the request-body
 * deadline, HTTP metrics, the `/api` proxy, the static SPA when configured,
 * and the WebSocket adapter for `/ws`. `AppModule` must import `BffModule`.
 */
export async function setupBff(app: NestFastifyApplication): Promise<void> {
  const config = app.get(BffConfig);
  const fastify = app.getHttpAdapter().getInstance();
  takeOverHttpEdge(fastify.server);
  fastify.setGenReqId(requestIdGenerator(config.server.trustProxy));
  if (!fastify.hasRequestDecorator('cookies')) await app.register(fastifyCookie);
  registerSecurityHeaders(fastify, config.server.publicUrl);
  registerRequestBodyDeadline(fastify, config.server.requestBodyTimeoutMs);
  registerHttpMetrics(fastify, app.get(BffMetrics));
  await app.register(app.get(ApiProxy).plugin);
  if (config.server.staticDir !== undefined) {
    await app.register(fastifyStatic, { root: resolve(config.server.staticDir), prefix: '/', index: ['index.html'] });
  }
  app.useWebSocketAdapter(new BffWsAdapter(app, app.get(UpgradeAuthenticator), config.realtime));
}
