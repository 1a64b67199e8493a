/**
 * The processes of a run: the dev IdP, three BFF instances sharing Redis and SESSION_SECRET
 * (as one deployment does), and the load-generating clients; plus the sessions, created by
 * logging in through the real IdP like a browser.
 */
import { randomBytes } from 'node:crypto';
import { BrowserClient } from '../../test/support/browser-client';
import { freePort } from '../../test/support/free-port';
import { Child } from './child';

const CLIENT = { clientId: 'bff-bench-ws', clientSecret: 'bff-bench-ws-secret' };
/** Long enough that no access token is refreshed during a run. */
const ACCESS_TOKEN_TTL_SECONDS = 3600;
/** The only users of the dev IdP. */
const USERS = ['alice', 'bob'] as const;
export type User = (typeof USERS)[number];

export interface StackOptions {
  redisUrl: string;
  instances: number;
  clients: number;
  /** Node flags of BFF instance i (0 is the one that holds the N sockets). */
  bffExecArgv(index: number): string[];
}

/** A BFF as the clients see it: where to connect, and the Origin its pages have. */
export interface Instance {
  child: Child;
  wsUrl: string;
  origin: string;
}

export interface Session {
  user: User;
  /** The Cookie header of the browser that logged in. */
  cookie: string;
}

export class Stack {
  readonly instances: Instance[] = [];
  readonly clients: Child[] = [];
  private idp?: Child;
  /** Shared by all instances, fresh each run, as every instance of one deployment shares it. */
  private readonly sessionSecret = randomBytes(32).toString('base64url');

  constructor(private readonly options: StackOptions) {}

  async start(): Promise<void> {
    // The BFFs' redirect URIs must be registered at the IdP before they boot, so their ports come first.
    const ports: number[] = [];
    for (let i = 0; i < this.options.instances; i += 1) ports.push(await freePort());
    const urls = ports.map((port) => `http://localhost:${String(port)}`);
    this.idp = await Child.start('idp', 'idp', {
      ...CLIENT,
      bffUrls: urls,
      accessTokenTtlSeconds: ACCESS_TOKEN_TTL_SECONDS,
    });
    const started = await Promise.all(
      ports.map((port, index) => this.startBff(index, port, urls[index] ?? '', this.idp?.ready.url ?? '')),
    );
    for (const [index, child] of started.entries()) {
      // 127.0.0.1, not localhost: the clients must not depend on how localhost resolves.
      this.instances.push({ child, wsUrl: `ws://127.0.0.1:${String(ports[index])}/ws`, origin: urls[index] ?? '' });
    }
    const clients = await Promise.all(
      Array.from({ length: this.options.clients }, (_, index) =>
        Child.start(`client-${String(index)}`, 'client', { index }, { env: { PATH: process.env.PATH } }),
      ),
    );
    this.clients.push(...clients);
  }

  /** `count` sessions, alternating users, each logged in through the IdP at the first instance. */
  async login(count: number): Promise<Session[]> {
    const first = this.instances[0];
    if (!first) throw new Error('no BFF running');
    const sessions: Session[] = [];
    for (let i = 0; i < count; i += 1) {
      const user = USERS[i % USERS.length] ?? 'alice';
      const browser = new BrowserClient();
      const callback = await browser.login(first.origin, user);
      const cookie = browser.cookie('bff');
      if (callback.status !== 302 || !cookie) {
        throw new Error(`login of ${user} failed: the callback answered ${String(callback.status)}`);
      }
      sessions.push({ user, cookie: `bff=${cookie}` });
    }
    return sessions;
  }

  get children(): Child[] {
    return [...(this.idp ? [this.idp] : []), ...this.instances.map((i) => i.child), ...this.clients];
  }

  /** Clean stops, clients first (their sockets close before the BFFs go away). */
  async stop(): Promise<void> {
    await Promise.all(this.clients.map((client) => client.stop()));
    await Promise.all(this.instances.map((instance) => instance.child.stop()));
    await this.idp?.stop();
  }

  kill(): void {
    for (const child of this.children) child.kill();
  }

  /** Only what the BFF is configured with here reaches it: nothing else of this shell's environment. */
  private startBff(index: number, port: number, publicUrl: string, issuer: string): Promise<Child> {
    return Child.start(
      `bff-${String(index + 1)}`,
      'bff',
      {},
      {
        execArgv: this.options.bffExecArgv(index),
        env: {
          PATH: process.env.PATH,
          PORT: String(port),
          BFF_PUBLIC_URL: publicUrl,
          BFF_DEV_INSECURE_COOKIES: 'true',
          // The bench shares a few logins among thousands of sockets; real users hold a few tabs each.
          BFF_WS_MAX_SOCKETS_PER_SESSION: '1000',
          OIDC_ISSUER: issuer,
          OIDC_CLIENT_ID: CLIENT.clientId,
          OIDC_CLIENT_SECRET: CLIENT.clientSecret,
          SESSION_SECRET: this.sessionSecret,
          REDIS_URL: this.options.redisUrl,
        },
      },
    );
  }
}
