/**
 * Starts the servers of the run, each in its own process, logs in once per deployment through
 * the real dev IdP, and describes the targets autocannon will hit.
 */
import { randomBytes } from 'node:crypto';
import { freePort } from '../../test/support/free-port';
import { apiUrl, bffEnvironment, loginToBff } from '../common/bff';
import { ServerGroup, type ServerProcess, type StartOptions } from '../common/children';
import type { Target } from '../common/load';
import { CLIENT_ROUTE, EXCHANGE_ROUTE, JSON_1K_PATH, ROUTE } from '../common/proxied-get';
import { loginToPeer } from '../peer/login';
import { PEER_SCRIPT, peerClient } from '../peer/protocol';
import { ACCESS_TOKEN_TTL_SECONDS, serverScript, type Role, type RoleArgs } from './protocol';
import { verifyAccessLines } from './access-lines';
import { dpopEnvironment, tracingEnvironment } from './variants';

/** Target names, in the order of the tables (and of the first round). */
export const NAMES = {
  direct: 'upstream direct',
  bare: 'bare reply-from proxy',
  bareUndici: 'bare undici proxy (the BFF’s engine)',
  peer: 'peer: express-openid-connect + http-proxy-middleware',
  bffDefaults: '**headline: BFF at production defaults** (info + access log to a pipe, metrics)',
  bffDefaultsTwin: 'headline again: a second process of the same build and configuration (A/A)',
  bffTracing: 'defaults + tracing (100% sampled, OTLP/HTTP to a collector stub)',
  bffDpop: 'defaults + DPoP (FAPI 2.0 IdP, a fresh ES256 proof per request)',
  bff: 'tuned: BFF, error logging only, SESSION_CACHE_MS=1000 (default)',
  bffClient: 'tuned: BFF, a client route (client-credentials token)',
  bffExchange: 'tuned: BFF, an exchange route (exchanged user token)',
  bffNoCache: 'tuned: BFF, SESSION_CACHE_MS=0',
};
/** Process names; also the folders of their CPU profiles. */
export const PROCESSES = {
  upstream: 'upstream',
  bare: 'bare',
  bareUndici: 'bare-undici',
  peer: 'peer',
  bffDefaults: 'bff-defaults',
  bffDefaultsTwin: 'bff-defaults-2',
  bffTracing: 'bff-tracing',
  bffDpop: 'bff-dpop',
  bff: 'bff',
  bffNoCache: 'bff-nocache',
  bffClient: 'bff-client',
  bffExchange: 'bff-exchange',
  idp: 'idp',
  fapiIdp: 'idp-fapi',
  collector: 'collector',
};
/** The BFFs that run as `npm start` does, their stdout a pipe the parent drains. */
const AT_DEFAULTS = [PROCESSES.bffDefaults, PROCESSES.bffDefaultsTwin, PROCESSES.bffTracing, PROCESSES.bffDpop];

const CLIENT = { clientId: 'bff-bench', clientSecret: 'bff-bench-secret' };
const PEER_CLIENT = { clientId: 'peer-bench', clientSecret: 'peer-bench-secret' };
const FAPI_CLIENT = { clientId: 'bff-bench-fapi', clientSecret: '' };

export interface StackOptions {
  redisUrl: string;
  /** Node flags for a process by name, e.g. --cpu-prof for the proxies. */
  execArgv(name: string): string[];
}

/** What the run left behind, read just before the servers stop. */
export interface StackTotals {
  /** The collector stub's counters: exports, spans, bytes. */
  collector: Record<string, number>;
  /** Lines each BFF at defaults wrote to its stdout pipe over the whole run. */
  logLines: Record<string, number>;
}

export class Stack {
  private readonly group = new ServerGroup();
  targets: Target[] = [];
  totals: StackTotals = { collector: {}, logLines: {} };
  /** Shared by the BFFs, fresh each run, as every instance of one deployment shares SESSION_SECRET. */
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
    const collector = await this.fork(PROCESSES.collector, 'collector', {});
    // Redirect URIs must be registered at the IdPs before the apps boot, so their ports come first.
    const bffNames = [
      PROCESSES.bffDefaults,
      PROCESSES.bffDefaultsTwin,
      PROCESSES.bffTracing,
      PROCESSES.bff,
      PROCESSES.bffNoCache,
      PROCESSES.bffClient,
      PROCESSES.bffExchange,
    ];
    const ports = new Map<string, number>();
    for (const name of [...bffNames, PROCESSES.bffDpop, PROCESSES.peer]) ports.set(name, await freePort());
    const port = (name: string): number => ports.get(name) ?? 0;
    const idp = await this.fork(PROCESSES.idp, 'idp', {
      ...CLIENT,
      bffUrls: bffNames.map((name) => `http://localhost:${String(port(name))}`),
      otherClients: [peerClient({ ...PEER_CLIENT, port: port(PROCESSES.peer) })],
      accessTokenTtlSeconds: ACCESS_TOKEN_TTL_SECONDS,
    });
    const fapiIdp = await this.fork(PROCESSES.fapiIdp, 'idp', {
      ...FAPI_CLIENT,
      bffUrls: [`http://localhost:${String(port(PROCESSES.bffDpop))}`],
      accessTokenTtlSeconds: ACCESS_TOKEN_TTL_SECONDS,
      fapi2: true,
    });
    const env = (name: string, cacheMs = 1000, client = CLIENT, issuer = idp.url): NodeJS.ProcessEnv =>
      bffEnvironment({
        ...client,
        port: port(name),
        issuer,
        upstream: upstream.url,
        sessionSecret: this.sessionSecret,
        cacheMs,
        redisUrl: this.options.redisUrl,
      });
    const atDefaults = (name: string, processEnv: NodeJS.ProcessEnv): Promise<ServerProcess> =>
      this.fork(name, 'bff', { logs: 'defaults' }, { env: processEnv, stdout: 'drain' });
    const tuned = (name: string, cacheMs = 1000): Promise<ServerProcess> =>
      this.fork(name, 'bff', { logs: 'errors' }, { env: env(name, cacheMs) });
    // The client and exchange routes each get a BFF process of their own, configured like the
    // user route's: sharing one process, the routes measured slower the later they ran in a round
    // (up to 15%), which says more about the process's history than about a policy.
    // The headline twice: two processes of one build differ by more than a small change does on
    // a shared VM, and the second shows by how much in this very run.
    const [bffDefaults, bffDefaultsTwin, bffTracing, bffDpop, bff, bffNoCache, bffClient, bffExchange, peer] =
      await Promise.all([
        atDefaults(PROCESSES.bffDefaults, env(PROCESSES.bffDefaults)),
        atDefaults(PROCESSES.bffDefaultsTwin, env(PROCESSES.bffDefaultsTwin)),
        atDefaults(PROCESSES.bffTracing, tracingEnvironment(env(PROCESSES.bffTracing), collector.url)),
        atDefaults(PROCESSES.bffDpop, dpopEnvironment(env(PROCESSES.bffDpop, 1000, FAPI_CLIENT, fapiIdp.url))),
        tuned(PROCESSES.bff),
        tuned(PROCESSES.bffNoCache, 0),
        tuned(PROCESSES.bffClient),
        tuned(PROCESSES.bffExchange),
        // NODE_ENV=production, as Express's "Production best practices: performance" asks.
        this.group.start(
          PROCESSES.peer,
          PEER_SCRIPT,
          {
            ...PEER_CLIENT,
            port: port(PROCESSES.peer),
            issuer: idp.url,
            upstream: upstream.url,
            redisUrl: this.options.redisUrl,
          },
          { env: { PATH: process.env.PATH, NODE_ENV: 'production' }, execArgv: this.options.execArgv(PROCESSES.peer) },
        ),
      ]);
    // One session for the BFFs of the main IdP, as one deployment's instances share it.
    const session = await loginToBff(bffDefaults);
    const target = (name: string, server: ServerProcess, headers = session, route = ROUTE): Target => ({
      name,
      url: apiUrl(server.url, JSON_1K_PATH, route),
      headers,
      process: server.name,
    });
    this.targets = [
      { name: NAMES.direct, url: `${upstream.url}${JSON_1K_PATH}`, headers: {} },
      { name: NAMES.bare, url: `${bare.url}/api/${ROUTE}${JSON_1K_PATH}`, headers: {}, process: bare.name },
      {
        name: NAMES.bareUndici,
        url: `${bareUndici.url}/api/${ROUTE}${JSON_1K_PATH}`,
        headers: {},
        process: bareUndici.name,
      },
      target(NAMES.peer, peer, await loginToPeer(peer)),
      target(NAMES.bffDefaults, bffDefaults),
      target(NAMES.bffDefaultsTwin, bffDefaultsTwin),
      target(NAMES.bffTracing, bffTracing),
      target(NAMES.bffDpop, bffDpop, await loginToBff(bffDpop)),
      target(NAMES.bff, bff),
      // Right after the user route, with the same session: the rows differ only by the route's
      // token policy (the client route opens no session but still needs X-CSRF).
      target(NAMES.bffClient, bffClient, session, CLIENT_ROUTE),
      target(NAMES.bffExchange, bffExchange, session, EXCHANGE_ROUTE),
      target(NAMES.bffNoCache, bffNoCache, await loginToBff(bffNoCache)),
    ];
  }

  /** Each BFF at defaults must write one access line per request to its pipe (see access-lines.ts). */
  async verifyAccessLogs(): Promise<void> {
    for (const name of AT_DEFAULTS) {
      const target = this.targets.find((t) => t.process === name);
      if (!target) throw new Error(`no target on ${name}`);
      await verifyAccessLines(this.group.get(name), target);
    }
  }

  /** Clean stops (so profiles get written), in parallel, after reading what the run left behind. */
  async stop(): Promise<void> {
    const collector = this.servers.find((s) => s.name === PROCESSES.collector);
    const collected = await collector?.counters().catch(() => ({}));
    this.totals = {
      collector: collected ?? {},
      logLines: Object.fromEntries(
        this.servers.filter((s) => AT_DEFAULTS.includes(s.name)).map((s) => [s.name, s.output().lines]),
      ),
    };
    await this.group.stop();
  }

  kill(): void {
    this.group.kill();
  }

  private fork<R extends Role>(
    name: string,
    role: R,
    args: RoleArgs[R],
    options: Omit<StartOptions, 'execArgv'> = {},
  ): Promise<ServerProcess> {
    return this.group.start(name, serverScript(role), args, { ...options, execArgv: this.options.execArgv(name) });
  }
}
