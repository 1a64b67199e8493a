/**
 * The peer: express 5 + express-openid-connect + http-proxy-middleware with a connect-redis
 * session store, configured as those projects document it (express-openid-connect's EXAMPLES.md
 * §2 "Require authentication for specific routes", §5 "Obtaining and using refresh tokens",
 * §9 "Use a custom session store"; connect-redis's README; http-proxy-middleware's README
 * "Express Server Example" and `on.proxyReq`). Nothing is tuned beyond what those documents show;
 * it does the BFF's per-request work and no more: a server-side session, a Bearer token
 * injected (refreshed if expired), the browser's Cookie header not forwarded.
 */
import { Agent, type ClientRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { RedisStore } from 'connect-redis';
import express, { type NextFunction, type Request, type Response } from 'express';
import { auth, requiresAuth } from 'express-openid-connect';
import { createProxyMiddleware } from 'http-proxy-middleware';
import { createClient } from 'redis';
import { ROUTE } from '../../common/proxied-get';
import { childArgs, serve } from '../../common/serve';
import { peerBaseUrl, type PeerArgs } from '../protocol';

/**
 * Keep-alive sockets to the upstream, as the BFF's and the bare proxy's pools (128 kept), so the
 * three differ in what they do per request, not in how they reach the upstream. Without an
 * `agent` option httpxy uses its own keep-alive agent (256 sockets, 64 kept idle).
 *
 * Not capped at 128 as theirs are: http-proxy-middleware leaks a busy socket for each client that
 * leaves while express-openid-connect loads its session (bench/peer/abort-leak.ts shows it alone),
 * and autocannon's 100 connections close mid-request at the end of every warm-up and run. Capped,
 * the pool filled with leaked sockets by the second round and every request after waited for good.
 * At 100 connections no more than 100 sockets are in use by live requests, so the cap never bound.
 */
const upstreamAgent = new Agent({ keepAlive: true, maxFreeSockets: 128, timeout: 60_000 });

/** The access token for this request, set by `withAccessToken` and read when the upstream request is built. */
const ACCESS_TOKEN = 'accessToken';

/** EXAMPLES.md §5: use the session's access token, refreshing it first if it has expired. */
async function withAccessToken(req: Request, res: Response, next: NextFunction): Promise<void> {
  const token = req.oidc.accessToken;
  if (!token) {
    res.status(401).json({ error: 'session_required' });
    return;
  }
  let { token_type, access_token } = token;
  if (token.isExpired()) ({ token_type, access_token } = await token.refresh());
  res.locals[ACCESS_TOKEN] = `${token_type} ${access_token}`;
  next();
}

serve(async () => {
  const args = childArgs() as PeerArgs;
  const baseURL = peerBaseUrl(args.port);
  const redis = createClient({ url: args.redisUrl });
  redis.on('error', (error: unknown) => {
    console.error(`redis: ${error instanceof Error ? error.message : String(error)}`);
  });
  await redis.connect();
  const store = new RedisStore({ client: redis, prefix: 'bench-peer:sess:' });

  const app = express();
  app.use(
    auth({
      issuerBaseURL: args.issuer,
      baseURL,
      clientID: args.clientId,
      clientSecret: args.clientSecret,
      secret: randomBytes(32).toString('base64url'),
      authRequired: false,
      // The BFF's scopes (OIDC_SCOPES' default); `code` gives an access and a refresh token.
      authorizationParams: { response_type: 'code', scope: 'openid profile email offline_access' },
      // Over http the library's own default is `secure: false` (it refuses `true` without https).
      session: { store },
    }),
  );
  app.use(
    `/api/${ROUTE}`,
    requiresAuth(),
    withAccessToken,
    createProxyMiddleware<Request, Response>({
      target: args.upstream,
      changeOrigin: true,
      agent: upstreamAgent,
      on: {
        proxyReq: (proxyReq: ClientRequest, _req: Request, res: Response) => {
          // Like the BFF: the upstream gets the user's token, never the browser's cookies.
          proxyReq.removeHeader('cookie');
          proxyReq.setHeader('authorization', String(res.locals[ACCESS_TOKEN]));
        },
      },
    }),
  );

  const server = app.listen(args.port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: peerBaseUrl(port),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      upstreamAgent.destroy();
      await store.clear();
      await redis.close();
    },
  };
});
