/**
 * A second reference: fastify 5 + undici's dispatcher streaming into the raw response, the
 * engine libs/proxy is built on, with nothing else (no session, cookies or header rewriting).
 * The target is stated against the reply-from proxy; this one shows what the BFF's own work
 * costs on top of its engine.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { Pool, type Dispatcher } from 'undici';
import { serve } from '../../common/serve';
import { ROUTE } from '../../common/proxied-get';
import { roleArgs } from '../protocol';

serve(async () => {
  const { upstream } = roleArgs('bare-undici');
  // The same pool settings as libs/proxy's per-route pool.
  const pool = new Pool(upstream, { connections: 128, pipelining: 1, keepAliveTimeout: 60_000 });
  const app = Fastify({ logger: false });
  const prefix = `/api/${ROUTE}`;
  app.get(`${prefix}/*`, (request, reply) => {
    reply.hijack();
    const response = reply.raw;
    const handler: Dispatcher.DispatchHandler = {
      // Its presence tells undici this handler speaks the controller API (not the legacy callbacks).
      onRequestStart() {
        // Nothing to set up: the response is only written to.
      },
      onResponseStart(_controller, statusCode: number, headers: IncomingHttpHeaders) {
        response.writeHead(statusCode, headers);
      },
      onResponseData(controller, chunk: Buffer) {
        if (response.write(chunk)) return;
        controller.pause();
        response.once('drain', () => {
          controller.resume();
        });
      },
      onResponseEnd() {
        response.end();
      },
      onResponseError(_controller, error: Error) {
        response.destroy(error);
      },
    };
    // What reply-from drops too: undici refuses connection-level headers, and sets Host itself.
    const { connection: _connection, host: _host, ...headers } = request.headers;
    pool.dispatch({ method: 'GET', path: request.url.slice(prefix.length), headers }, handler);
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}`,
    close: async () => {
      await app.close();
      await pool.close();
    },
  };
});
