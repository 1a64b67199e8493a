/** The upstream: plain node:http, the cheapest possible server and so the "direct" ceiling. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HEADERS_PATH, JSON_1K, JSON_1K_PATH } from '../../common/proxied-get';
import { serve } from '../../common/serve';

serve(async () => {
  const body = Buffer.from(JSON_1K);
  const server = createServer((request, response) => {
    if (request.url === JSON_1K_PATH) {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
      response.end(body);
    } else if (request.url === HEADERS_PATH) {
      // What a proxy forwarded: checked once before measuring (a Bearer injected, no cookie).
      const { authorization = null, cookie = null } = request.headers;
      const echo = Buffer.from(JSON.stringify({ authorization, cookie }));
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': echo.length });
      response.end(echo);
    } else {
      response.writeHead(404, { 'content-length': 0 });
      response.end();
    }
  });
  // Longer than the proxies' pool keep-alive, so the upstream never closes a pooled socket mid-run.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
});
