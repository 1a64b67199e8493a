/** The BFF as bench:proxy and bench:peer run it (proxy/servers/bff.ts): its environment and a logged-in session. */
import { BrowserClient } from '../../test/support/browser-client';
import type { ServerProcess } from './children';
import { CLIENT_ROUTE, EXCHANGE_ROUTE, ROUTE } from './proxied-get';

export interface BffEnvironment {
  port: number;
  issuer: string;
  upstream: string;
  clientId: string;
  clientSecret: string;
  /** Shared by every BFF of a run, as every instance of one deployment shares it. */
  sessionSecret: string;
  /** SESSION_CACHE_MS. */
  cacheMs: number;
  redisUrl: string;
}

/** Only what the BFF is configured with here reaches it: nothing else of this shell's environment. */
export function bffEnvironment(bff: BffEnvironment): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    PORT: String(bff.port),
    BFF_PUBLIC_URL: `http://localhost:${String(bff.port)}`,
    BFF_DEV_INSECURE_COOKIES: 'true',
    BFF_ROUTES: JSON.stringify([
      { name: ROUTE, upstream: bff.upstream, token: 'user' },
      // The dev IdP's two audiences: its API (client tokens) and the API's reports (exchanged tokens).
      { name: CLIENT_ROUTE, upstream: bff.upstream, token: 'client', resource: 'http://localhost:4001' },
      { name: EXCHANGE_ROUTE, upstream: bff.upstream, token: 'exchange', audience: 'http://localhost:4001/reports' },
    ]),
    OIDC_ISSUER: bff.issuer,
    OIDC_CLIENT_ID: bff.clientId,
    OIDC_CLIENT_SECRET: bff.clientSecret,
    SESSION_SECRET: bff.sessionSecret,
    SESSION_CACHE_MS: String(bff.cacheMs),
    REDIS_URL: bff.redisUrl,
  };
}

/** Logs alice in through the real dev IdP; returns the headers an SPA sends to /api. */
export async function loginToBff(bff: ServerProcess): Promise<Record<string, string>> {
  const browser = new BrowserClient();
  const callback = await browser.login(bff.url, 'alice');
  const cookie = browser.cookie('bff');
  if (callback.status !== 302 || !cookie) {
    throw new Error(`login at ${bff.name} failed: the callback answered ${String(callback.status)}`);
  }
  return { cookie: `bff=${cookie}`, 'x-csrf': '1' };
}

/**
 * `/api/<route><path>` on a server that listens on localhost: autocannon uses the IPv4 loopback
 * like the other targets, whatever localhost resolves to.
 */
export function apiUrl(base: string, path: string, route = ROUTE): string {
  const url = new URL(`/api/${route}${path}`, base);
  url.hostname = '127.0.0.1';
  return url.href;
}
