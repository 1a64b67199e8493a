/**
 * Starts the servers of the run, each in its own process, logs in once per BFF through the
 * real dev IdP, and describes the targets autocannon will hit.
 */
import { randomBytes } from 'node:crypto';
import { freePort } from '../../test/support/free-port';
import { apiUrl, bffEnvironment, loginToBff } from '../common/bff';
import { ServerGroup, type ServerProcess } from '../common/children';
import type { Target } from '../common/load';
import { CLIENT_ROUTE, EXCHANGE_ROUTE, JSON_1K_PATH, ROUTE } from '../common/proxied-get';
import { ACCESS_TOKEN_TTL_SECONDS, serverScript, type Role, type RoleArgs } from './protocol';

export const NAMES = {
  direct: 'upstream direct',
  bare: 'bare reply-from proxy',
  bareUndici: 'bare undici proxy (the BFF’s engine)',
  bff: 'BFF, SESSION_CACHE_MS=1000 (default)',
  bffNoCache: 'BFF, SESSION_CACHE_MS=0',
  bffClient: 'BFF, a client route (client-credentials token)',
  bffExchange: 'BFF, an exchange route (exchanged user token)',
};
/** Process names; also the folders of their CPU profiles. */
export const PROCESSES = {
  upstream: 'upstream',
  bare: 'bare',
  bareUndici: 'bare-undici',
  bff: 'bff',
  bffNoCache: 'bff-nocache',
  bffClient: 'bff-client',
  bffExchange: 'bff-exchange',
  idp: 'idp',
};

const CLIENT = { clientId: 'bff-bench', clientSecret: 'bff-bench-secret' };

export interface StackOptions {
  redisUrl: string;
  /** Node flags for a process by name, e.g. --cpu-prof for the proxies. */
  execArgv(name: string): string[];
}

export class Stack {
  private readonly group = new ServerGroup();
  targets: Target[] = [];
  /** Shared by both BFFs, fresh each run, as every instance of one deployment shares SESSION_SECRET. */
  private readonly sessionSecret = randomBytes(32).toString('base64url');

  constructor(private readonly options: StackOptions) {}

  get servers(): readonly ServerProcess[] {
    return this.group.servers;
  }

  idp(): ServerProcess {
    return this.group.get(PROCESSES.idp);
  }

  async start(): Promise<void> {
    const upstream = await this.fork(PROCESSES.upstream, 'upstream', {});
    const bare = await this.fork(PROCESSES.bare, 'bare', { upstream: upstream.url });
    const bareUndici = await this.fork(PROCESSES.bareUndici, 'bare-undici', { upstream: upstream.url });
    // The BFFs' redirect URIs must be registered at the IdP before they boot, so their ports come first.
    const ports = [await freePort(), await freePort(), await freePort(), await freePort()] as const;
    const bffUrls = ports.map((port) => `http://localhost:${String(port)}`);
    const idp = await this.fork(PROCESSES.idp, 'idp', {
      ...CLIENT,
      bffUrls,
      accessTokenTtlSeconds: ACCESS_TOKEN_TTL_SECONDS,
    });
    const bffEnv = (port: number, cacheMs: number): NodeJS.ProcessEnv =>
      bffEnvironment({
        ...CLIENT,
        port,
        issuer: idp.url,
        upstream: upstream.url,
        sessionSecret: this.sessionSecret,
        cacheMs,
        redisUrl: this.options.redisUrl,
      });
    // The client and exchange routes each get a BFF process of their own, configured like the
    // first: sharing one process, the routes measured slower the later they ran in a round (up to
    // 15%), which says more about the process's history than about a policy.
    const [bff, bffNoCache, bffClient, bffExchange] = await Promise.all([
      this.fork(PROCESSES.bff, 'bff', {}, bffEnv(ports[0], 1000)),
      this.fork(PROCESSES.bffNoCache, 'bff', {}, bffEnv(ports[1], 0)),
      this.fork(PROCESSES.bffClient, 'bff', {}, bffEnv(ports[2], 1000)),
      this.fork(PROCESSES.bffExchange, 'bff', {}, bffEnv(ports[3], 1000)),
    ]);
    // One session for the user and exchange routes, as one deployment's instances share it.
    const bffSession = await loginToBff(bff);
    this.targets = [
      { name: NAMES.direct, url: `${upstream.url}${JSON_1K_PATH}`, headers: {} },
      { name: NAMES.bare, url: `${bare.url}/api/${ROUTE}${JSON_1K_PATH}`, headers: {}, process: bare.name },
      {
        name: NAMES.bareUndici,
        url: `${bareUndici.url}/api/${ROUTE}${JSON_1K_PATH}`,
        headers: {},
        process: bareUndici.name,
      },
      { name: NAMES.bff, url: apiUrl(bff.url, JSON_1K_PATH), headers: bffSession, process: bff.name },
      // Right after the user route, with the same session: the rows differ only by the route's
      // token policy (the client route opens no session but still needs X-CSRF).
      {
        name: NAMES.bffClient,
        url: apiUrl(bffClient.url, JSON_1K_PATH, CLIENT_ROUTE),
        headers: bffSession,
        process: bffClient.name,
      },
      {
        name: NAMES.bffExchange,
        url: apiUrl(bffExchange.url, JSON_1K_PATH, EXCHANGE_ROUTE),
        headers: bffSession,
        process: bffExchange.name,
      },
      {
        name: NAMES.bffNoCache,
        url: apiUrl(bffNoCache.url, JSON_1K_PATH),
        headers: await loginToBff(bffNoCache),
        process: bffNoCache.name,
      },
    ];
  }

  /** Clean stops (so profiles get written), in parallel. */
  stop(): Promise<void> {
    return this.group.stop();
  }

  kill(): void {
    this.group.kill();
  }

  private fork<R extends Role>(name: string, role: R, args: RoleArgs[R], env?: NodeJS.ProcessEnv) {
    return this.group.start(name, serverScript(role), args, {
      execArgv: this.options.execArgv(name),
      ...(env ? { env } : {}),
    });
  }
}
