/**
 * Starts the servers of the run, each in its own process, logs in once per BFF through the
 * real dev IdP, and describes the four targets autocannon will hit.
 */
import { randomBytes } from 'node:crypto';
import { BrowserClient } from '../../test/support/browser-client';
import { freePort } from '../../test/support/free-port';
import { ServerProcess, type StartOptions } from './children';
import type { Target } from './load';
import { JSON_1K_PATH, ROUTE, type Role, type RoleArgs } from './protocol';

export const NAMES = {
  direct: 'upstream direct',
  bare: 'bare reply-from proxy',
  bff: 'BFF, SESSION_CACHE_MS=1000 (default)',
  bffNoCache: 'BFF, SESSION_CACHE_MS=0',
};
/** Process names; also the folders of their CPU profiles. */
export const PROCESSES = { upstream: 'upstream', bare: 'bare', bff: 'bff', bffNoCache: 'bff-nocache', idp: 'idp' };

const CLIENT = { clientId: 'bff-bench', clientSecret: 'bff-bench-secret' };
/** Long enough that no access token is refreshed during a run (the refresh skew is 60 s). */
const ACCESS_TOKEN_TTL_SECONDS = 3600;

export interface StackOptions {
  redisUrl: string;
  /** Node flags for a process by name, e.g. --cpu-prof for the proxies. */
  execArgv(name: string): string[];
}

export class Stack {
  readonly servers: ServerProcess[] = [];
  targets: Target[] = [];
  /** Shared by both BFFs, fresh each run, as every instance of one deployment shares SESSION_SECRET. */
  private readonly sessionSecret = randomBytes(32).toString('base64url');

  constructor(private readonly options: StackOptions) {}

  idp(): ServerProcess {
    const idp = this.servers.find((server) => server.name === PROCESSES.idp);
    if (!idp) throw new Error('the dev IdP is not running');
    return idp;
  }

  async start(): Promise<void> {
    const upstream = await this.fork(PROCESSES.upstream, 'upstream', {});
    const bare = await this.fork(PROCESSES.bare, 'bare', { upstream: upstream.url });
    // The BFFs' redirect URIs must be registered at the IdP before they boot, so their ports come first.
    const ports = [await freePort(), await freePort()] as const;
    const bffUrls = ports.map((port) => `http://localhost:${String(port)}`);
    const idp = await this.fork(PROCESSES.idp, 'idp', {
      ...CLIENT,
      bffUrls,
      accessTokenTtlSeconds: ACCESS_TOKEN_TTL_SECONDS,
    });
    const [bff, bffNoCache] = await Promise.all([
      this.forkBff(PROCESSES.bff, ports[0], idp.url, upstream.url, 1000),
      this.forkBff(PROCESSES.bffNoCache, ports[1], idp.url, upstream.url, 0),
    ]);
    this.targets = [
      { name: NAMES.direct, url: `${upstream.url}${JSON_1K_PATH}`, headers: {} },
      { name: NAMES.bare, url: `${bare.url}/api/${ROUTE}${JSON_1K_PATH}`, headers: {}, process: bare.name },
      { name: NAMES.bff, url: apiUrl(bff.url), headers: await login(bff), process: bff.name },
      {
        name: NAMES.bffNoCache,
        url: apiUrl(bffNoCache.url),
        headers: await login(bffNoCache),
        process: bffNoCache.name,
      },
    ];
  }

  /** Clean stops (so profiles get written), in parallel. */
  async stop(): Promise<void> {
    await Promise.all(this.servers.map((server) => server.stop()));
  }

  kill(): void {
    for (const server of this.servers) server.kill();
  }

  private async fork<R extends Role>(name: string, role: R, args: RoleArgs[R], env?: NodeJS.ProcessEnv) {
    const options: StartOptions = { execArgv: this.options.execArgv(name), ...(env ? { env } : {}) };
    const server = await ServerProcess.start(name, role, args, options);
    this.servers.push(server);
    return server;
  }

  /** Only what the BFF is configured with here reaches it: nothing else of this shell's environment. */
  private forkBff(name: string, port: number, issuer: string, upstream: string, cacheMs: number) {
    return this.fork(
      name,
      'bff',
      {},
      {
        PATH: process.env.PATH,
        PORT: String(port),
        BFF_PUBLIC_URL: `http://localhost:${String(port)}`,
        BFF_DEV_INSECURE_COOKIES: 'true',
        BFF_ROUTES: JSON.stringify([{ name: ROUTE, upstream, token: 'user' }]),
        OIDC_ISSUER: issuer,
        OIDC_CLIENT_ID: CLIENT.clientId,
        OIDC_CLIENT_SECRET: CLIENT.clientSecret,
        SESSION_SECRET: this.sessionSecret,
        SESSION_CACHE_MS: String(cacheMs),
        REDIS_URL: this.options.redisUrl,
      },
    );
  }
}

/** Logs alice in through the real dev IdP; returns the headers an SPA sends to /api. */
async function login(bff: ServerProcess): Promise<Record<string, string>> {
  const browser = new BrowserClient();
  const callback = await browser.login(bff.url, 'alice');
  const cookie = browser.cookie('bff');
  if (callback.status !== 302 || !cookie) {
    throw new Error(`login at ${bff.name} failed: the callback answered ${String(callback.status)}`);
  }
  return { cookie: `bff=${cookie}`, 'x-csrf': '1' };
}

/** The BFF listens on localhost (as main.ts does); autocannon uses the IPv4 loopback like the other targets. */
function apiUrl(base: string): string {
  const url = new URL(`/api/${ROUTE}${JSON_1K_PATH}`, base);
  url.hostname = '127.0.0.1';
  return url.href;
}
