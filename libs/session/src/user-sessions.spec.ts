import { InProcessMessageBus } from '@bff/cluster';
import { SessionConfig } from '@bff/config';
import { BffMetrics } from '@bff/metrics';
import { MemorySessionStore } from './memory-session.store';
import { SessionSealer } from './session-sealer';
import { SESSION_ENDED_CHANNEL, SessionService } from './session.service';
import { UserSessions } from './user-sessions';

function setup() {
  let now = 2_000_000;
  const clock = () => now;
  const config = Object.assign(new SessionConfig(), { idleTimeoutSeconds: 600, absoluteTimeoutSeconds: 3600 });
  const store = new MemorySessionStore(clock);
  const sealer = new SessionSealer('s'.repeat(32));
  const bus = new InProcessMessageBus();
  const sessions = new SessionService(store, sealer, config, bus, new BffMetrics());
  sessions.now = clock;
  const ended: string[] = [];
  void bus.subscribe(SESSION_ENDED_CHANNEL, (id) => ended.push(id));
  return {
    sessions,
    store,
    bus,
    ended,
    userSessions: new UserSessions(store, sealer, sessions),
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const login = (sub: string, userAgent?: string, sid?: string) => ({
  sub,
  sid,
  claims: { sub },
  tokens: { accessToken: 'at', idToken: 'it', tokenType: 'bearer' },
  userAgent,
});

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('UserSessions', () => {
  it("lists a user's sessions newest first, the caller's marked current, with opaque handles", async () => {
    const { sessions, userSessions, advance } = setup();
    const laptop = await sessions.create(login('alice', 'Laptop'));
    advance(1000);
    const phone = await sessions.create(login('alice', 'Phone'));
    await sessions.create(login('bob', 'Bob'));
    const listed = await userSessions.list('alice', laptop.session.ticket.id);
    expect(listed).toEqual([
      {
        handle: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        createdAt: 2_001_000,
        lastSeenAt: 2_001_000,
        expiresAt: 2_001_000 + 600_000,
        userAgent: 'Phone',
        current: false,
      },
      {
        handle: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        createdAt: 2_000_000,
        lastSeenAt: 2_000_000,
        expiresAt: 2_000_000 + 600_000,
        userAgent: 'Laptop',
        current: true,
      },
    ]);
    const text = JSON.stringify(listed);
    for (const { session } of [laptop, phone]) {
      expect(text).not.toContain(session.ticket.id);
      expect(text).not.toContain(session.ticket.secret.toString('base64url'));
    }
  });

  it('shows lastSeenAt moving with use, and an expired session no more', async () => {
    const { sessions, userSessions, advance } = setup();
    const { cookieValue, session } = await sessions.create(login('alice'));
    await sessions.create(login('alice'));
    advance(300_000);
    await sessions.open(cookieValue);
    expect((await userSessions.list('alice', session.ticket.id)).map((s) => s.lastSeenAt)).toEqual([
      2_300_000, 2_000_000,
    ]);
    advance(400_000); // the untouched session's idle timeout passes
    const listed = await userSessions.list('alice', session.ticket.id);
    expect(listed).toHaveLength(1);
    expect(listed[0]?.current).toBe(true);
  });

  it('ends a session by its handle everywhere (session-ended published), and only the owner can', async () => {
    const { sessions, userSessions, ended } = setup();
    const alice = await sessions.create(login('alice', 'Laptop', 'idp-sid-1'));
    const bob = await sessions.create(login('bob'));
    const [aliceHandle] = (await userSessions.list('alice', '')).map((s) => s.handle);
    const [bobHandle] = (await userSessions.list('bob', '')).map((s) => s.handle);
    expect(await userSessions.endByHandle('alice', bobHandle!)).toBeUndefined();
    for (const handle of [
      '',
      'x',
      'A'.repeat(43),
      `${aliceHandle!}A`,
      aliceHandle!.slice(1),
      '../user',
      `${aliceHandle!.slice(0, 42)}=`,
    ]) {
      expect(await userSessions.endByHandle('alice', handle)).toBeUndefined();
    }
    expect(await sessions.open(bob.cookieValue)).toBeDefined();
    expect(ended).toEqual([]);
    expect(await userSessions.endByHandle('alice', aliceHandle!)).toBe(alice.session.ticket.id);
    await flush();
    expect(ended).toEqual([alice.session.ticket.id]);
    expect(await sessions.open(alice.cookieValue)).toBeUndefined();
    expect(await userSessions.list('alice', '')).toEqual([]);
  });

  it('ends every session of one user, and only of that user', async () => {
    const { sessions, userSessions, store } = setup();
    const first = await sessions.create(login('alice', undefined, 'sid-a'));
    const second = await sessions.create(login('alice'));
    const bob = await sessions.create(login('bob'));
    expect(await userSessions.endAll('alice')).toBe(2);
    for (const { cookieValue } of [first, second]) expect(await sessions.open(cookieValue)).toBeUndefined();
    expect(await sessions.open(bob.cookieValue)).toBeDefined();
    // The sid index went with the session (its sid came from the listing facts).
    expect(await store.idsBySid('sid-a')).toEqual([]);
    expect(await userSessions.endAll('alice')).toBe(0);
  });

  it('still lists, and ends, a session whose facts were sealed under a retired server key', async () => {
    const { sessions, store, userSessions } = setup();
    const { session } = await sessions.create(login('alice', 'Old'));
    const rotated = new UserSessions(store, new SessionSealer('t'.repeat(32)), sessions);
    const [listed] = await rotated.list('alice', session.ticket.id);
    expect(listed).toEqual({ handle: expect.any(String), lastSeenAt: 2_000_000, expiresAt: 2_600_000, current: true });
    expect(await rotated.endByHandle('alice', listed!.handle)).toBe(session.ticket.id);
    expect(await userSessions.list('alice', '')).toEqual([]);
  });
});
