import { DpopKey } from '@bff/dpop';
import { Logger } from '@nestjs/common';
import type { OidcClient, TokenSet } from '@bff/auth';
import { ProxyConfig, TokenConfig, UpstreamRoute } from '@bff/config';
import { BffMetrics } from '@bff/metrics';
import type { OpenedSession, RouteToken, SessionRecord, SessionService } from '@bff/session';
import { ClientError, ResponseBodyError } from 'openid-client';
import { MemoryClientTokenCache } from './client-token.cache';
import { clientLockKey, ClientTokens } from './client-tokens';
import { exchangeLockKey, ExchangedTokens } from './exchanged-tokens';
import { NarrowedUserTokens } from './narrowed-user-tokens';
import { LocalRefreshLock, type RefreshLock } from './refresh-lock';
import { RouteTokens } from './route-tokens';
import type { TokenRefresher } from './token-refresher';
import { RouteGrantRefusedError, TokenExchangeRefusedError } from './token.errors';

const T0 = 1_700_000_000_000;
const clock = { now: T0 };

function route(extra: Partial<UpstreamRoute>): UpstreamRoute {
  return Object.assign(new UpstreamRoute(), { name: 'r', upstream: 'http://api', ...extra });
}

function tokenSet(accessToken: string, lifetimeMs = 600_000): TokenSet {
  return {
    accessToken,
    accessTokenIssuedAt: clock.now,
    accessTokenExpiresAt: clock.now + lifetimeMs,
    tokenType: 'bearer',
  };
}

/** The token endpoint: counts grants and answers as the test says, a turn later (as a network would). */
class FakeTokenEndpoint {
  clientGrants = 0;
  exchanges: string[] = [];
  answer: () => TokenSet = () => tokenSet(`t-${String(this.clientGrants + this.exchanges.length)}`);
  failure?: Error;
  /** OIDC_DPOP's key type when on: what OidcClient tells a grant's caller. */
  sessionDpopAlg?: 'ES256';
  /** The thumbprints of the DPoP keys the client-credentials grants were asked with. */
  clientGrantKeys: string[] = [];

  async clientCredentials(_target: unknown, key?: DpopKey): Promise<TokenSet> {
    this.clientGrants++;
    if (key) this.clientGrantKeys.push(key.thumbprint);
    return this.reply();
  }

  async exchange(subjectToken: string): Promise<TokenSet> {
    this.exchanges.push(subjectToken);
    return this.reply();
  }

  private async reply(): Promise<TokenSet> {
    await new Promise((resolve) => setImmediate(resolve));
    if (this.failure) throw this.failure;
    return this.answer();
  }
}

/** Sessions as the store holds them: what `reload` sees under the lock. */
class FakeSessions {
  readonly records = new Map<string, SessionRecord>();

  reload(ticket: OpenedSession['ticket']): Promise<OpenedSession | undefined> {
    const record = this.records.get(ticket.id);
    return Promise.resolve(record && { ticket, record, expiresAt: T0 + 3_600_000 });
  }

  saveRouteToken(session: OpenedSession, name: string, token: RouteToken): Promise<boolean> {
    if (!this.records.has(session.ticket.id)) return Promise.resolve(false);
    session.record = { ...session.record, routeTokens: { ...session.record.routeTokens, [name]: token } };
    this.records.set(session.ticket.id, session.record);
    return Promise.resolve(true);
  }
}

function openSession(sessions: FakeSessions, userTokenIssuedAt = T0): OpenedSession {
  const record = {
    sub: 'alice',
    tokens: { accessToken: 'user-at', accessTokenIssuedAt: userTokenIssuedAt, idToken: 'id', tokenType: 'bearer' },
  } as SessionRecord;
  sessions.records.set('s1', record);
  return { ticket: { id: 's1', secret: Buffer.alloc(32) }, record, expiresAt: T0 + 3_600_000 };
}

/** A lock that records the keys asked for, over the in-process one. */
class RecordingLock extends LocalRefreshLock implements RefreshLock {
  readonly keys: string[] = [];
  override acquire(key: string, leaseMs: number, waitMs: number) {
    this.keys.push(key);
    return super.acquire(key, leaseMs, waitMs);
  }
}

describe('route tokens', () => {
  let endpoint: FakeTokenEndpoint;
  let lock: RecordingLock;
  let metrics: BffMetrics;
  const config = Object.assign(new TokenConfig(), { refreshSkewSeconds: 30 });

  beforeAll(() => {
    Logger.overrideLogger(false);
  });
  beforeEach(() => {
    clock.now = T0;
    endpoint = new FakeTokenEndpoint();
    lock = new RecordingLock();
    metrics = new BffMetrics();
  });

  describe('ClientTokens', () => {
    /** One instance; several sharing `cache` behave as several BFFs sharing Redis. */
    function instance(cache: MemoryClientTokenCache): ClientTokens {
      const tokens = new ClientTokens(endpoint as unknown as OidcClient, cache, lock, config, metrics);
      tokens.now = () => clock.now;
      return tokens;
    }

    it('makes one grant per route for any number of concurrent calls on any number of instances', async () => {
      const cache = new MemoryClientTokenCache(() => clock.now);
      const instances = [instance(cache), instance(cache), instance(cache)];
      const tokens = await Promise.all(
        instances.flatMap((tokens) => Array.from({ length: 20 }, () => tokens.get(route({ token: 'client' })))),
      );
      expect(endpoint.clientGrants).toBe(1);
      expect(new Set(tokens).size).toBe(1);
      expect(lock.keys.every((key) => key === clientLockKey('r'))).toBe(true);
    });

    it('asks for a client token bound to a key of its own, and keeps the key with it for every instance', async () => {
      endpoint.sessionDpopAlg = 'ES256';
      endpoint.answer = () => ({ ...tokenSet('bound'), tokenType: 'DPoP' });
      const cache = new MemoryClientTokenCache(() => clock.now);
      const first = await instance(cache).credential(route({ token: 'client' }));
      const second = await instance(cache).credential(route({ token: 'client' }));
      expect(endpoint.clientGrants).toBe(1);
      expect(endpoint.clientGrantKeys).toHaveLength(1);
      expect(first).toEqual({ accessToken: 'bound', dpopKey: expect.any(DpopKey) });
      expect(first.dpopKey?.thumbprint).toBe(endpoint.clientGrantKeys[0]);
      expect(second.dpopKey?.thumbprint).toBe(endpoint.clientGrantKeys[0]);
    });

    it('sends a client token the provider did not bind as Bearer: no key goes with it', async () => {
      endpoint.sessionDpopAlg = 'ES256';
      const credential = await instance(new MemoryClientTokenCache(() => clock.now)).credential(
        route({ token: 'client' }),
      );
      expect(endpoint.clientGrantKeys).toHaveLength(1);
      expect(credential.dpopKey).toBeUndefined();
    });

    it('renews before expiry (within the skew), once', async () => {
      const tokens = instance(new MemoryClientTokenCache(() => clock.now));
      const first = await tokens.get(route({ token: 'client' }));
      clock.now += 600_000 - 20_000;
      const [a, b] = await Promise.all([
        tokens.get(route({ token: 'client' })),
        tokens.get(route({ token: 'client' })),
      ]);
      expect(a).toBe(b);
      expect(a).not.toBe(first);
      expect(endpoint.clientGrants).toBe(2);
    });

    it('never hands out again a token the upstream refused', async () => {
      const tokens = instance(new MemoryClientTokenCache(() => clock.now));
      const first = await tokens.get(route({ token: 'client' }));
      const renewed = await tokens.get(route({ token: 'client' }), first);
      expect(renewed).not.toBe(first);
      expect(await tokens.get(route({ token: 'client' }))).toBe(renewed);
    });

    it("keeps one route's token apart from another's", async () => {
      const tokens = instance(new MemoryClientTokenCache(() => clock.now));
      const a = await tokens.get(route({ token: 'client', name: 'a' }));
      const b = await tokens.get(route({ token: 'client', name: 'b' }));
      expect(a).not.toBe(b);
      expect(endpoint.clientGrants).toBe(2);
    });

    it('answers a refused grant with 502 route_token_refused, and an unreachable IdP with 503', async () => {
      const tokens = instance(new MemoryClientTokenCache(() => clock.now));
      endpoint.failure = new ResponseBodyError('invalid_client', {
        cause: { error: 'invalid_client' },
        response: new Response(null, { status: 401 }),
      });
      await expect(tokens.get(route({ token: 'client' }))).rejects.toBeInstanceOf(RouteGrantRefusedError);
      endpoint.failure = new ClientError('timed out', { cause: new DOMException('x', 'TimeoutError') });
      await expect(tokens.get(route({ token: 'client' }))).rejects.toMatchObject({ status: 503 });
    });
  });

  describe('ExchangedTokens', () => {
    let sessions: FakeSessions;
    let exchanges: ExchangedTokens;
    const exchangeRoute = route({ token: 'exchange', audience: 'reports' });

    beforeEach(() => {
      sessions = new FakeSessions();
      exchanges = new ExchangedTokens(
        endpoint as unknown as OidcClient,
        sessions as unknown as SessionService,
        lock,
        config,
        metrics,
      );
      exchanges.now = () => clock.now;
    });

    it("exchanges a session's user token once for any number of concurrent calls, and caches it in the session", async () => {
      const session = openSession(sessions);
      const tokens = await Promise.all(Array.from({ length: 30 }, () => exchanges.get(session, exchangeRoute)));
      expect(endpoint.exchanges).toEqual(['user-at']);
      expect(new Set(tokens).size).toBe(1);
      expect(sessions.records.get('s1')?.routeTokens?.r?.accessToken).toBe(tokens[0]?.accessToken);
      expect(lock.keys).toEqual([exchangeLockKey('s1', 'r')]);
    });

    it('uses the exchanged token another instance stored, re-read under the lock', async () => {
      const session = openSession(sessions);
      const stale = { ...session, record: { ...session.record } };
      await exchanges.get(session, exchangeRoute);
      await exchanges.get(stale, exchangeRoute);
      expect(endpoint.exchanges).toHaveLength(1);
    });

    it('exchanges again once the user token was refreshed', async () => {
      const session = openSession(sessions);
      await exchanges.get(session, exchangeRoute);
      const refreshed = openSession(sessions, T0 + 1000);
      refreshed.record.routeTokens = sessions.records.get('s1')?.routeTokens;
      refreshed.record.tokens.accessToken = 'user-at-2';
      sessions.records.set('s1', refreshed.record);
      await exchanges.get(refreshed, exchangeRoute);
      expect(endpoint.exchanges).toEqual(['user-at', 'user-at-2']);
    });

    it('answers invalid_grant with a 401 for this call only: the session is kept', async () => {
      const session = openSession(sessions);
      endpoint.failure = new ResponseBodyError('invalid_grant', {
        cause: { error: 'invalid_grant' },
        response: new Response(null, { status: 400 }),
      });
      await expect(exchanges.get(session, exchangeRoute)).rejects.toBeInstanceOf(TokenExchangeRefusedError);
      expect(sessions.records.has('s1')).toBe(true);
    });

    it('answers invalid_target with 502, not a 401: the route is misconfigured, not the user', async () => {
      const session = openSession(sessions);
      endpoint.failure = new ResponseBodyError('invalid_target', {
        cause: { error: 'invalid_target' },
        response: new Response(null, { status: 400 }),
      });
      await expect(exchanges.get(session, exchangeRoute)).rejects.toMatchObject({ status: 502 });
    });
  });

  describe('RouteTokens.credentialNow', () => {
    let sessions: FakeSessions;
    let clients: ClientTokens;

    /** A refresher that says whether the token is fresh and, asked to make it so, hands the session back. */
    function routeTokens(fresh: boolean): RouteTokens {
      const refresher = { isFresh: () => fresh, ensureFresh: (session: OpenedSession) => Promise.resolve(session) };
      const oidc = endpoint as unknown as OidcClient;
      const store = sessions as unknown as SessionService;
      const exchanges = new ExchangedTokens(oidc, store, lock, config, metrics);
      const narrowed = new NarrowedUserTokens(oidc, store, lock, config, metrics);
      exchanges.now = () => clock.now;
      narrowed.now = () => clock.now;
      return new RouteTokens(
        refresher as unknown as TokenRefresher,
        clients,
        exchanges,
        narrowed,
        { supportedGrantTypes: new Set<string>() } as unknown as OidcClient,
        new ProxyConfig(),
      );
    }

    /** A route token kept in the session, as an earlier call left it: made from the session's user token. */
    function holdRouteToken(session: OpenedSession, name: string, accessToken: string, remainingMs = 600_000): void {
      const issuedAt = clock.now - (600_000 - remainingMs);
      const token: RouteToken = {
        accessToken,
        accessTokenIssuedAt: issuedAt,
        accessTokenExpiresAt: issuedAt + 600_000,
        tokenType: 'bearer',
        subjectIssuedAt: T0,
      };
      session.record = { ...session.record, routeTokens: { ...session.record.routeTokens, [name]: token } };
    }

    beforeEach(() => {
      sessions = new FakeSessions();
      clients = new ClientTokens(
        endpoint as unknown as OidcClient,
        new MemoryClientTokenCache(() => clock.now),
        lock,
        config,
        metrics,
      );
      clients.now = () => clock.now;
    });

    it.each(['user', 'optional-user', 'user-or-client'] as const)(
      'gives a %s route the fresh session token at once, as credentialFor would',
      async (token) => {
        const tokens = routeTokens(true);
        const session = openSession(sessions);
        const now = tokens.credentialNow(route({ token }), session);
        expect(now).toEqual({ accessToken: 'user-at', session });
        expect(now).toEqual(await tokens.credentialFor(route({ token }), session));
      },
    );

    it('gives a route that sends no token an empty credential', () => {
      expect(routeTokens(true).credentialNow(route({ token: 'none' }), undefined)).toEqual({});
    });

    it.each([
      ['an exchange route', route({ token: 'exchange', audience: 'reports' })],
      ['a user route narrowed to a resource', route({ token: 'user', resource: 'https://api' })],
    ])('gives %s the token its session holds, as credentialFor would, with no grant', async (_, target) => {
      const tokens = routeTokens(true);
      const session = openSession(sessions);
      holdRouteToken(session, target.name, 'route-at');
      const now = tokens.credentialNow(target, session);
      expect(now).toEqual({ accessToken: 'route-at', session });
      expect(now).toEqual(await tokens.credentialFor(target, session));
      expect(endpoint.exchanges).toEqual([]);
    });

    it.each([
      ['none held yet', (_session: OpenedSession) => undefined],
      [
        'one about to expire',
        (session: OpenedSession) => {
          holdRouteToken(session, 'r', 'route-at', 20_000);
        },
      ],
      [
        'one made from an earlier user token',
        (session: OpenedSession) => {
          holdRouteToken(session, 'r', 'route-at');
          session.record = { ...session.record, tokens: { ...session.record.tokens, accessTokenIssuedAt: T0 + 1 } };
        },
      ],
    ])('leaves an exchange or narrowed route with %s to credentialFor', (_, arrange) => {
      const tokens = routeTokens(true);
      for (const target of [
        route({ token: 'exchange', audience: 'x' }),
        route({ token: 'user', resource: 'https://api' }),
      ]) {
        const session = openSession(sessions);
        arrange(session);
        expect(tokens.credentialNow(target, session)).toBeUndefined();
      }
    });

    it('gives a client route the token this instance holds, until it is due', async () => {
      const tokens = routeTokens(true);
      const client = route({ token: 'client' });
      expect(tokens.credentialNow(client, undefined)).toBeUndefined();
      const obtained = await tokens.credentialFor(client, undefined);
      expect(tokens.credentialNow(client, undefined)).toEqual(obtained);
      clock.now += 600_000 - 20_000;
      expect(tokens.credentialNow(client, undefined)).toBeUndefined();
    });

    it('leaves to credentialFor a refresh that is due, and a session not at hand', () => {
      const session = openSession(sessions);
      holdRouteToken(session, 'r', 'route-at');
      const stale = routeTokens(false);
      for (const target of [route({ token: 'user' }), route({ token: 'exchange', audience: 'x' })]) {
        expect(stale.credentialNow(target, session)).toBeUndefined();
      }
      const tokens = routeTokens(true);
      // Not in this instance's cache is not the same as no session: only the wait can tell.
      for (const token of ['user', 'optional-user', 'user-or-client', 'exchange'] as const) {
        expect(tokens.credentialNow(route({ token, audience: 'x' }), undefined)).toBeUndefined();
      }
    });
  });

  describe('RouteTokens at boot', () => {
    function routeTokens(grants: string[], routes: UpstreamRoute[]): RouteTokens {
      const oidc = { supportedGrantTypes: new Set(grants) } as unknown as OidcClient;
      const proxy = Object.assign(new ProxyConfig(), { routes });
      return new RouteTokens({} as TokenRefresher, {} as ClientTokens, {} as ExchangedTokens, {} as never, oidc, proxy);
    }

    it('refuses to start when a route needs a grant the provider does not list, naming every such route', () => {
      const tokens = routeTokens(
        ['authorization_code', 'refresh_token'],
        [route({ name: 'pub', token: 'client' }), route({ name: 'rep', token: 'exchange', audience: 'x' })],
      );
      expect(() => tokens.onModuleInit()).toThrow(/route "pub".*client_credentials.*route "rep".*token-exchange/s);
    });

    it('starts when the provider lists every grant the routes need', () => {
      const tokens = routeTokens(
        ['authorization_code', 'refresh_token', 'client_credentials'],
        [route({ name: 'pub', token: 'user-or-client' }), route({ name: 'u', token: 'user' })],
      );
      expect(() => tokens.onModuleInit()).not.toThrow();
    });
  });
});
