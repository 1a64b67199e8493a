import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ServerConfig } from '@bff/config';
import type { FastifyInstance } from 'fastify';
import { ManagementListenError } from './bff-module.errors';
import { takeOverHttpEdge } from './http-edge';
import type { RequestCompletions } from './request-completion';

const ON_MANAGEMENT = Symbol('bff:on-management-listener');

type TaggedMessage = IncomingMessage & { [ON_MANAGEMENT]?: true };

/**
 * The routes that, once BFF_MANAGEMENT_PORT is set, answer on that port only:
 * `/metrics`, `/health/*` and `/internal/*`. Judged by the route pattern the
 * router matched, not by the URL: whatever spelling reaches one of these
 * handlers has matched its pattern, and any other spelling reaches no handler.
 */
export function isManagementRoute(pattern: string): boolean {
  return (
    pattern === '/metrics' ||
    pattern === '/health' ||
    pattern.startsWith('/health/') ||
    pattern === '/internal' ||
    pattern.startsWith('/internal/')
  );
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** The management server keeps the main server's timeouts, which Fastify set from its options. */
function copyTimeouts(from: Server, to: Server): void {
  to.keepAliveTimeout = from.keepAliveTimeout;
  to.headersTimeout = from.headersTimeout;
  to.requestTimeout = from.requestTimeout;
  to.timeout = from.timeout;
  to.maxRequestsPerSocket = from.maxRequestsPerSocket;
  to.maxHeadersCount = from.maxHeadersCount;
}

/**
 * A second plain-HTTP listener on BFF_MANAGEMENT_HOST:BFF_MANAGEMENT_PORT, in
 * front of the same Fastify instance: the same routes, hooks, body limits,
 * error contract and internal-token rule, with a gate that sends a request on
 * the wrong listener to the not-found handler (the same answer as any unknown
 * path): management routes on PORT, everything else here. WebSocket upgrades
 * are not taken here (no `upgrade` listener), so `/ws` is an unknown path.
 *
 * It listens when Fastify becomes ready (before the main port, and a failure
 * to bind stops the start) and closes with `app.close()`.
 */
export function registerManagementListener(
  fastify: FastifyInstance,
  completions: RequestCompletions,
  server: Pick<ServerConfig, 'managementPort' | 'managementHost'>,
): void {
  const { managementPort: port, managementHost: host } = server;
  if (port === undefined) return;
  const management = createServer((request: IncomingMessage, response: ServerResponse) => {
    // Only this listener's requests are tagged: the main port's pay one property read, no write.
    (request as TaggedMessage)[ON_MANAGEMENT] = true;
    fastify.routing(request, response);
  });
  takeOverHttpEdge(management, completions);

  fastify.addHook('onRequest', (request, reply, done) => {
    const pattern = request.routeOptions.url;
    const here = (request.raw as TaggedMessage)[ON_MANAGEMENT] === true;
    if (pattern !== undefined && isManagementRoute(pattern) !== here) {
      reply.callNotFound();
      return;
    }
    done();
  });
  fastify.addHook('onReady', async () => {
    copyTimeouts(fastify.server, management);
    try {
      await listen(management, port, host);
    } catch (error) {
      throw new ManagementListenError(host, port, error);
    }
  });
  let closed: Promise<void> | undefined;
  fastify.addHook('preClose', (done) => {
    // Stops accepting at once, with the main port; requests under way finish.
    if (management.listening) {
      closed = new Promise((resolve) => management.close(() => resolve()));
      management.closeIdleConnections();
    }
    done();
  });
  fastify.addHook('onClose', async () => {
    // In-flight requests of the main port are done; a kept-alive connection here must not hold the exit.
    management.closeAllConnections();
    await closed;
  });
}
