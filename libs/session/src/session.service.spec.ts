import { InProcessMessageBus } from '@bff/cluster';
import { SessionConfig } from '@bff/config';
import { BffMetrics } from '@bff/metrics';
import { MemorySessionStore } from './memory-session.store';
import { SessionSealer } from './session-sealer';
import { createTicket, formatTicket } from './session-ticket';
import { SESSION_ENDED_CHANNEL, SessionService } from './session.service';

function withClock(service: SessionService, clock: () => number): SessionService {
  service.now = clock;
  return service;
}

function setup(idleSeconds = 600, absoluteSeconds = 3600) {
  let now = 1_000_000;
  const clock = () => now;
  const config = Object.assign(new SessionConfig(), {
    idleTimeoutSeconds: idleSeconds,
    absoluteTimeoutSeconds: absoluteSeconds,
  });
  const store = new MemorySessionStore(clock);
  const sealer = new SessionSealer('s'.repeat(32));
  const service = withClock(
    new SessionService(store, sealer, config, new InProcessMessageBus(), new BffMetrics()),
    clock,
  );
  return {
    service,
    store,
    sealer,
    advance: (ms: number) => {
      now += ms;
    },
    now: () => now,
  };
}

const LOGIN = {
  sub: 'alice',
  sid: 'idp-sid',
  claims: { sub: 'alice', name: 'Alice' },
  tokens: { accessToken: 'at', idToken: 'it', refreshToken: 'rt', tokenType: 'bearer' },
};

describe('SessionService', () => {
  afterEach(() => jest.useRealTimers());

  it('creates a session that the cookie opens, with a fresh id each time', async () => {
    const { service } = setup();
    const first = await service.create(LOGIN);
    const second = await service.create(LOGIN);
    expect(first.cookieValue).not.toBe(second.cookieValue);
    const opened = await service.open(first.cookieValue);
    expect(opened?.record.sub).toBe('alice');
    expect(opened?.record.tokens.refreshToken).toBe('rt');
    expect(opened?.record.logoutSid).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('stores only ciphertext', async () => {
    const { service, store } = setup();
    const { session } = await service.create(LOGIN);
    const stored = await store.read(session.ticket.id);
    expect(stored?.sealed).not.toMatch(/alice|idp-sid|"at"|"rt"/);
  });

  it('treats tampered, truncated, foreign and unknown cookies as no session', async () => {
    const { service } = setup();
    const { cookieValue, session } = await service.create(LOGIN);
    const flipped = cookieValue.slice(0, -2) + (cookieValue.endsWith('AA') ? 'BA' : 'AA');
    expect(await service.open(flipped)).toBeUndefined();
    expect(await service.open(cookieValue.slice(0, 40))).toBeUndefined();
    expect(await service.open(formatTicket({ id: session.ticket.id, secret: createTicket().secret }))).toBeUndefined();
    expect(await service.open(formatTicket(createTicket()))).toBeUndefined();
    expect(await service.open(undefined)).toBeUndefined();
  });

  it('rejects a cookie sealed under another server key', async () => {
    const a = setup();
    const { cookieValue, session } = await a.service.create(LOGIN);
    const other = new SessionService(
      a.store,
      new SessionSealer('z'.repeat(32)),
      Object.assign(new SessionConfig(), { idleTimeoutSeconds: 600, absoluteTimeoutSeconds: 3600 }),
      new InProcessMessageBus(),
      new BffMetrics(),
    );
    other.now = a.now;
    expect(await other.open(cookieValue)).toBeUndefined();
    expect(await a.store.read(session.ticket.id)).not.toBeNull(); // a forged cookie never deletes
  });

  it('ends the session after the idle timeout and slides it on use', async () => {
    const { service, advance } = setup(600, 3600);
    const { cookieValue } = await service.create(LOGIN);
    advance(500_000);
    const opened = await service.open(cookieValue);
    expect(opened?.expiresAt).toBeGreaterThan(1_000_000 + 600_000);
    advance(500_000);
    expect(await service.open(cookieValue)).toBeDefined();
    advance(601_000);
    expect(await service.open(cookieValue)).toBeUndefined();
  });

  it('ends the session at the absolute timeout however active', async () => {
    const { service, advance } = setup(600, 1200);
    const { cookieValue } = await service.create(LOGIN);
    for (let i = 0; i < 4; i++) {
      advance(290_000);
      expect(await service.open(cookieValue)).toBeDefined();
    }
    advance(50_000);
    expect(await service.open(cookieValue)).toBeUndefined();
  });

  it('reads without extending the idle expiry when slide is false, and records lastSeenAt with each slide', async () => {
    const { service, store, advance, now } = setup(600, 3600);
    const { cookieValue, session } = await service.create(LOGIN);
    const createdAt = now();
    const touch = jest.spyOn(store, 'touch');
    advance(120_000);
    const unslid = await service.open(cookieValue, { slide: false });
    expect(unslid?.expiresAt).toBe(createdAt + 600_000);
    expect(touch).not.toHaveBeenCalled();
    expect((await store.listBySub('alice'))[0]?.info?.lastSeenAt).toBe(createdAt);
    advance(1_000); // past SESSION_CACHE_MS, so the store is read again
    const slid = await service.open(cookieValue);
    expect(slid?.expiresAt).toBe(now() + 600_000);
    expect(touch).toHaveBeenCalledTimes(1);
    const listed = (await store.listBySub('alice')).find((entry) => entry.id === session.ticket.id);
    expect(listed?.info?.lastSeenAt).toBe(now());
  });

  it('keeps acr, amr and auth_time from the ID token, and takes them again from a refreshed ID token', async () => {
    const { service } = setup();
    const claims = { ...LOGIN.claims, acr: 'urn:demo:pwd', amr: ['pwd'], auth_time: 1_700_000_000 };
    const { cookieValue, session } = await service.create({ ...LOGIN, claims });
    expect(session.record).toMatchObject({ acr: 'urn:demo:pwd', amr: ['pwd'], authTime: 1_700_000_000 });
    const payload = { sub: 'alice', acr: 'urn:demo:mfa', amr: ['pwd', 'otp'], auth_time: 1_700_000_100 };
    const idToken = `e30.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.sig`;
    expect(await service.saveTokens(session, { ...LOGIN.tokens, idToken })).toBe(true);
    expect((await service.open(cookieValue))?.record).toMatchObject({
      acr: 'urn:demo:mfa',
      amr: ['pwd', 'otp'],
      authTime: 1_700_000_100,
    });
    // Another user's ID token, or one that is no JWT, changes nothing.
    const foreign = `e30.${Buffer.from(JSON.stringify({ ...payload, sub: 'bob', acr: 'x' })).toString('base64url')}.s`;
    await service.saveTokens(session, { ...LOGIN.tokens, idToken: foreign });
    await service.saveTokens(session, { ...LOGIN.tokens, idToken: 'not-a-jwt' });
    expect(session.record.acr).toBe('urn:demo:mfa');
  });

  it("keeps a session's listing facts sealed under the server key, its user agent printable and bounded", async () => {
    const { service, store, sealer } = setup();
    const { session } = await service.create({ ...LOGIN, userAgent: `\u0000Firefox/140\t${'x'.repeat(500)}` });
    const [listed] = await store.listBySub('alice');
    expect(listed?.info?.sealed).not.toMatch(/Firefox|idp-sid/);
    const facts = sealer.openForServer(session.ticket.id, listed!.info!.sealed) as Record<string, unknown>;
    expect(facts).toEqual({
      createdAt: session.record.createdAt,
      userAgent: `Firefox/140${'x'.repeat(245)}`,
      sid: 'idp-sid',
    });
  });

  it('saves rotated tokens, but never resurrects an ended session', async () => {
    const { service } = setup();
    const { cookieValue, session } = await service.create(LOGIN);
    expect(await service.saveTokens(session, { ...LOGIN.tokens, accessToken: 'at2' })).toBe(true);
    expect((await service.open(cookieValue))?.record.tokens.accessToken).toBe('at2');
    await service.end(session);
    expect(await service.saveTokens(session, { ...LOGIN.tokens, accessToken: 'at3' })).toBe(false);
    expect(await service.open(cookieValue)).toBeUndefined();
  });
});

describe('SessionService hot-path cache', () => {
  function twoInstances(cacheMs: number) {
    let now = 5_000_000;
    const clock = () => now;
    const config = Object.assign(new SessionConfig(), {
      idleTimeoutSeconds: 600,
      absoluteTimeoutSeconds: 3600,
      cacheMs,
    });
    const store = new MemorySessionStore(clock);
    const bus = new InProcessMessageBus();
    const sealer = new SessionSealer('s'.repeat(32));
    const make = () => withClock(new SessionService(store, sealer, config, bus, new BffMetrics()), clock);
    return {
      a: make(),
      b: make(),
      store,
      bus,
      advance: (ms: number) => {
        now += ms;
      },
    };
  }
  const flush = () => new Promise((resolve) => setImmediate(resolve));

  it('serves a repeated open from memory within SESSION_CACHE_MS, then reads the store again', async () => {
    const { a, store, advance } = twoInstances(1000);
    const { cookieValue } = await a.create(LOGIN);
    const read = jest.spyOn(store, 'read');
    await a.open(cookieValue);
    await a.open(cookieValue);
    expect(read).toHaveBeenCalledTimes(1);
    advance(1000);
    await a.open(cookieValue);
    expect(read).toHaveBeenCalledTimes(2);
  });

  it('never opens a cached session with the right id and a wrong secret', async () => {
    const { a } = twoInstances(60_000);
    const { cookieValue, session } = await a.create(LOGIN);
    await a.open(cookieValue);
    const forged = formatTicket({ id: session.ticket.id, secret: createTicket().secret });
    expect(await a.open(forged)).toBeUndefined();
  });

  it('drops the cached copy on every instance when one instance ends the session', async () => {
    const { a, b } = twoInstances(60_000);
    await a.onModuleInit();
    await b.onModuleInit();
    const { cookieValue } = await a.create(LOGIN);
    expect(await a.open(cookieValue)).toBeDefined();
    const onB = await b.open(cookieValue);
    if (!onB) throw new Error('expected a session on b');
    await b.end(onB);
    await flush();
    expect(await a.open(cookieValue)).toBeUndefined();
  });

  it('ends a replaced session in the store and here at once, and tells the other instances only when asked', async () => {
    const { a, b, bus } = twoInstances(60_000);
    await a.onModuleInit();
    await b.onModuleInit();
    const announced: string[] = [];
    await bus.subscribe(SESSION_ENDED_CHANNEL, (id) => announced.push(id));
    const { cookieValue } = await a.create(LOGIN);
    await b.open(cookieValue);
    const onA = await a.open(cookieValue);
    if (!onA) throw new Error('expected a session on a');
    const announce = await a.endUnannounced(onA);
    await flush();
    expect(await a.open(cookieValue)).toBeUndefined();
    expect(announced).toEqual([]);
    // b's cached copy stands until the announcement, which drops it.
    expect(b.cached(cookieValue)).toBeDefined();
    await announce();
    await flush();
    expect(announced).toEqual([onA.ticket.id]);
    expect(b.cached(cookieValue)).toBeUndefined();
    expect(await b.open(cookieValue)).toBeUndefined();
  });

  it('shows tokens refreshed on another instance at once', async () => {
    const { a, b } = twoInstances(60_000);
    await a.onModuleInit();
    await b.onModuleInit();
    const { cookieValue } = await a.create(LOGIN);
    await a.open(cookieValue);
    const onB = await b.open(cookieValue);
    if (!onB) throw new Error('expected a session on b');
    await b.saveTokens(onB, { ...LOGIN.tokens, accessToken: 'rotated' });
    await flush();
    expect((await a.open(cookieValue))?.record.tokens.accessToken).toBe('rotated');
  });

  it('answers `cached` without waiting only for a session open() put in the cache, and only with its secret', async () => {
    const { a, b, advance } = twoInstances(1000);
    await a.onModuleInit();
    await b.onModuleInit();
    const { cookieValue, session } = await a.create(LOGIN);
    expect(b.cached(cookieValue)).toBeUndefined();
    const opened = await b.open(cookieValue);
    expect(b.cached(cookieValue)).toEqual(opened);
    expect(b.cached(formatTicket({ id: session.ticket.id, secret: createTicket().secret }))).toBeUndefined();
    expect(b.cached(`${cookieValue}x`)).toBeUndefined();
    expect(b.cached(undefined)).toBeUndefined();
    advance(1000);
    expect(b.cached(cookieValue)).toBeUndefined();
    await b.open(cookieValue);
    await a.end(session);
    await flush();
    expect(b.cached(cookieValue)).toBeUndefined();
  });

  it('reads the store every time when SESSION_CACHE_MS is 0', async () => {
    const { a, store } = twoInstances(0);
    const { cookieValue } = await a.create(LOGIN);
    const read = jest.spyOn(store, 'read');
    await a.open(cookieValue);
    await a.open(cookieValue);
    expect(read).toHaveBeenCalledTimes(2);
    expect(a.cached(cookieValue)).toBeUndefined();
  });
});
