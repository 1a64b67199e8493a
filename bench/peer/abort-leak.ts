/**
 * `node dist-bench/bench/peer/abort-leak.js` (after `tsc -p tsconfig.bench.json`): why the peer's
 * upstream agent has no socket cap. http-proxy-middleware (httpxy) ends an upstream request when
 * its client's response closes, but listens for that close only once it proxies: a client that
 * left while an earlier async middleware ran (express-openid-connect loading the session) leaves
 * its upstream request running, and the response, piped into a closed one, is never read, so its
 * socket stays busy for good. Here: 4 sockets, an async middleware of 100 ms, 8 clients that leave
 * after 50 ms; then one more request. It prints the agent's state and that request's fate, and
 * exits 1 when the leak shows (the pool is stuck), 0 when it does not.
 */
import { Agent, createServer, get, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';

const SOCKETS = 4;
const LEAVING_CLIENTS = 8;
const MIDDLEWARE_MS = 100;
const LEAVE_AFTER_MS = 50;
const UPSTREAM_MS = 200;
const SETTLE_MS = 1500;
const LAST_REQUEST_TIMEOUT_MS = 3000;

function listening(server: ReturnType<typeof createServer>): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

const count = (pool: NodeJS.ReadOnlyDict<unknown[]>): number =>
  Object.values(pool).reduce((sum, list) => sum + (list?.length ?? 0), 0);

async function main(): Promise<number> {
  const upstream = createServer((_request: IncomingMessage, response: ServerResponse) => {
    setTimeout(() => response.end('{"ok":true}'), UPSTREAM_MS);
  });
  const upstreamPort = await listening(upstream);
  const agent = new Agent({ keepAlive: true, maxSockets: SOCKETS });
  const app = express();
  app.use('/api', (_request, _response, next) => setTimeout(next, MIDDLEWARE_MS));
  app.use('/api', createProxyMiddleware({ target: `http://127.0.0.1:${String(upstreamPort)}`, agent }));
  const proxy = createServer(app);
  const port = await listening(proxy);

  for (let client = 0; client < LEAVING_CLIENTS; client++) {
    const request = get({ port, host: '127.0.0.1', path: '/api/x', agent: false });
    request.on('error', () => undefined);
    setTimeout(() => request.destroy(), LEAVE_AFTER_MS);
  }
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const state = `busy ${String(count(agent.sockets))}, queued ${String(count(agent.requests))}`;
  const last = await fetch(`http://127.0.0.1:${String(port)}/api/y`, {
    signal: AbortSignal.timeout(LAST_REQUEST_TIMEOUT_MS),
  }).then(
    (response) => `answered ${String(response.status)}`,
    (error: unknown) => (error instanceof Error ? error.name : String(error)),
  );
  console.log(`after ${String(LEAVING_CLIENTS)} clients left: ${state}; the next request: ${last}`);
  agent.destroy();
  proxy.closeAllConnections();
  proxy.close();
  upstream.closeAllConnections();
  upstream.close();
  return last.startsWith('answered') ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
