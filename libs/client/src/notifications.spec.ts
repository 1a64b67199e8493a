import { createBffClient } from './bff-client.js';
import type { BffNotifications, NotificationEvents, NotificationOptions } from './notifications.js';
import {
  FakeClock,
  fakeFetch,
  fakeLocation,
  fakeNetwork,
  fakeWebSocket,
  jsonResponse,
  settle,
  type FakeSocket,
} from './testing/fake-browser.js';

const ALICE = { sub: 'alice', claims: {}, sessionExpiresAt: '2030-01-01T00:00:00Z', logoutUrl: '/auth/logout?sid=x' };
const EVENTS: (keyof NotificationEvents)[] = [
  'open',
  'ready',
  'message',
  'close',
  'reconnecting',
  'session-ended',
  'stopped',
];

/** The page: a client whose sockets, clock and `/auth/user` answers the test controls. */
function setup(options: NotificationOptions = {}, random = () => 0.5) {
  const clock = new FakeClock();
  const network = fakeNetwork();
  const { WebSocket, sockets } = fakeWebSocket();
  let userStatus = 200;
  const { fetch, requests } = fakeFetch(() =>
    userStatus === 0
      ? Promise.reject(new TypeError('Failed to fetch'))
      : jsonResponse(userStatus, userStatus === 200 ? ALICE : { error: 'session_required', message: 'no session' }),
  );
  const bff = createBffClient({
    fetch,
    WebSocket,
    location: fakeLocation('https://app.example/inbox'),
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
    BroadcastChannel: null, // tab sync has its own spec
    random,
    onOnline: network.onOnline,
  });
  const stream = bff.notifications(options);
  const events: [keyof NotificationEvents, unknown][] = [];
  for (const name of EVENTS) stream.on(name, (payload) => events.push([name, payload]));
  return {
    stream,
    clock,
    network,
    sockets,
    events,
    probes: () => requests.filter((r) => r.url === '/auth/user'),
    /** 200 (the session is alive), 401 (it is not), or 0 (the BFF is unreachable). */
    answerUserWith: (status: number) => (userStatus = status),
    latest: (): FakeSocket => sockets[sockets.length - 1]!,
  };
}

/** Opens the latest socket and delivers the server's `ready` frame. */
function connected(socket: FakeSocket): void {
  socket.open();
  socket.receive({ type: 'ready', data: { sub: 'alice' } });
}

describe('bff.notifications()', () => {
  it('opens /ws on the page’s origin with wss: for https:', () => {
    const { sockets, stream } = setup();
    expect(sockets.map((s) => s.url)).toEqual(['wss://app.example/ws']);
    expect(stream.state).toBe('connecting');
  });

  it('fires open, ready and then each frame as a message, in order', () => {
    const { stream, latest, events } = setup();
    connected(latest());
    latest().receive({ type: 'notification', data: { message: 'hi' } });
    latest().receive({ type: 'order-shipped', data: { id: 7 } });
    expect(events).toEqual([
      ['open', undefined],
      ['ready', { sub: 'alice' }],
      ['message', { type: 'notification', data: { message: 'hi' } }],
      ['message', { type: 'order-shipped', data: { id: 7 } }],
    ]);
    expect(stream.state).toBe('open');
  });

  it('drops frames that are not JSON { type }', () => {
    const { latest, events } = setup();
    latest().open();
    for (const junk of ['not json', '[1,2]', '{"data":1}', '{"type":""}', 'null']) latest().receive(junk);
    expect(events).toEqual([['open', undefined]]);
  });

  it('takes a frame type of up to 64 characters and drops a longer one, as the BFF does', () => {
    const { latest, events } = setup();
    latest().open();
    latest().receive({ type: 'x'.repeat(65), data: 'too long' });
    latest().receive({ type: 'x'.repeat(64), data: 'longest' });
    expect(events).toEqual([
      ['open', undefined],
      ['message', { type: 'x'.repeat(64), data: 'longest' }],
    ]);
  });

  it.each([
    ['answers 401', 401],
    ['cannot be reached', 0],
  ])('stops after the BFF closes with 4001 and /auth/user %s: session-ended, no reconnect', async (_case, status) => {
    const { stream, latest, events, sockets, clock, probes, answerUserWith } = setup();
    connected(latest());
    answerUserWith(status);
    latest().serverClose(4001, 'session ended');
    expect(stream.state).toBe('reconnecting');
    await settle();
    await clock.advance(10 * 60_000);
    expect(events.slice(2)).toEqual([
      ['close', { code: 4001, reason: 'session ended' }],
      ['session-ended', { detectedBy: 'close-code' }],
    ]);
    expect(sockets).toHaveLength(1);
    expect(probes()).toHaveLength(1);
    expect(stream.state).toBe('closed');
    expect(clock.pendingDelays()).toEqual([]);
  });

  it('reconnects after a 4001 when /auth/user finds a session: another tab’s login replaced the socket’s', async () => {
    const { stream, latest, events, sockets, clock, probes } = setup();
    connected(latest());
    latest().serverClose(4001, 'session ended');
    expect(events.slice(2)).toEqual([['close', { code: 4001, reason: 'session ended' }]]);
    await settle();
    expect(probes()).toHaveLength(1);
    expect(events.slice(3)).toEqual([['reconnecting', { attempt: 1, delayMs: 250 }]]);
    await clock.advance(250);
    expect(sockets).toHaveLength(2);
    connected(latest());
    expect(events.slice(4)).toEqual([
      ['open', undefined],
      ['ready', { sub: 'alice' }],
    ]);
    expect(stream.state).toBe('open');
  });

  it('stays closed when close() is called while the probe after a 4001 is in flight', async () => {
    const { stream, latest, events, sockets, clock } = setup();
    connected(latest());
    latest().serverClose(4001);
    stream.close();
    await settle();
    await clock.advance(60_000);
    expect(events.slice(2)).toEqual([['close', { code: 4001, reason: '' }]]);
    expect(sockets).toHaveLength(1);
    expect(stream.state).toBe('closed');
  });

  it.each([1001, 1006, 1011, 1013])(
    'reconnects after close %p of a socket that was open, without asking /auth/user',
    async (code) => {
      const { stream, latest, events, sockets, clock, probes } = setup();
      connected(latest());
      latest().serverClose(code);
      expect(events.slice(2)).toEqual([
        ['close', { code, reason: '' }],
        ['reconnecting', { attempt: 1, delayMs: 250 }],
      ]);
      expect(stream.state).toBe('reconnecting');
      await clock.advance(249);
      expect(sockets).toHaveLength(1);
      await clock.advance(1);
      expect(sockets).toHaveLength(2);
      connected(latest());
      expect(events.slice(4)).toEqual([
        ['open', undefined],
        ['ready', { sub: 'alice' }],
      ]);
      expect(probes()).toHaveLength(0);
    },
  );

  it.each([1003, 1007, 1008, 1009])('does not reconnect after %p (the page broke a socket rule)', async (code) => {
    const { stream, latest, events, sockets, clock } = setup();
    connected(latest());
    latest().serverClose(code, 'too many messages');
    await clock.advance(60_000);
    expect(events.slice(2)).toEqual([
      ['close', { code, reason: 'too many messages' }],
      ['stopped', { code, reason: 'too many messages' }],
    ]);
    expect(sockets).toHaveLength(1);
    expect(stream.state).toBe('closed');
  });

  describe('after a connect that failed (a refused upgrade is a bare 1006 in a browser)', () => {
    it('asks /auth/user first, then reconnects while the session is alive', async () => {
      const { latest, events, sockets, clock, probes } = setup();
      latest().serverClose(1006);
      expect(events).toEqual([['close', { code: 1006, reason: '' }]]);
      await settle();
      expect(probes()).toHaveLength(1);
      expect(probes()[0]!.headers.get('x-csrf')).toBe('1');
      expect(events.slice(1)).toEqual([['reconnecting', { attempt: 1, delayMs: 250 }]]);
      await clock.advance(250);
      expect(sockets).toHaveLength(2);
    });

    it('ends with session-ended, and no reconnect, when /auth/user answers 401', async () => {
      const { stream, latest, events, sockets, clock, answerUserWith } = setup();
      connected(latest());
      latest().serverClose(1001);
      answerUserWith(401);
      await clock.advance(250);
      latest().serverClose(1006);
      await settle();
      await clock.advance(60_000);
      expect(events.slice(4)).toEqual([
        ['close', { code: 1006, reason: '' }],
        ['session-ended', { detectedBy: 'session-probe' }],
      ]);
      expect(sockets).toHaveLength(2);
      expect(stream.state).toBe('closed');
    });

    it('keeps trying, with back-off, while the BFF cannot be reached', async () => {
      const { latest, events, sockets, clock, answerUserWith } = setup();
      answerUserWith(0);
      latest().serverClose(1006);
      await settle();
      await clock.advance(250);
      latest().serverClose(1006);
      await settle();
      expect(events.filter(([name]) => name === 'reconnecting')).toEqual([
        ['reconnecting', { attempt: 1, delayMs: 250 }],
        ['reconnecting', { attempt: 2, delayMs: 500 }],
      ]);
      await clock.advance(500);
      expect(sockets).toHaveLength(3);
    });

    it('gives up on a socket that does not open within connectTimeoutMs, and counts it as failed', async () => {
      const { latest, events, sockets, clock, probes } = setup({ connectTimeoutMs: 5000 });
      const stuck = latest();
      await clock.advance(5000);
      expect(stuck.closedByClient).toHaveLength(1);
      expect(events[0]).toEqual(['close', { code: 1006, reason: 'connect timeout' }]);
      expect(probes()).toHaveLength(1);
      stuck.serverClose(1006); // the browser's own close event for it comes later and is ignored
      await clock.advance(250);
      expect(sockets).toHaveLength(2);
      expect(events.filter(([name]) => name === 'close')).toHaveLength(1);
    });
  });

  describe('back-off', () => {
    /** Lets every connect fail; returns the `reconnecting` delays. */
    async function failConnects({ latest, clock, events }: ReturnType<typeof setup>, count: number): Promise<number[]> {
      for (let i = 0; i < count; i++) {
        latest().serverClose(1006);
        await settle();
        const [, last] = events[events.length - 1]!;
        await clock.advance((last as { delayMs: number }).delayMs);
      }
      return events
        .filter(([name]) => name === 'reconnecting')
        .map(([, payload]) => (payload as { delayMs: number }).delayMs);
    }

    it('doubles the delay ceiling per failed attempt up to maxDelayMs, drawing the delay below it', async () => {
      const page = setup({ baseDelayMs: 500, maxDelayMs: 30_000 }, () => 0.999);
      expect(await failConnects(page, 9)).toEqual([499, 999, 1998, 3996, 7992, 15_984, 29_970, 29_970, 29_970]);
    });

    it('draws each delay from the page’s random source (full jitter)', async () => {
      const draws = [0.1, 0.9, 0];
      const page = setup({ baseDelayMs: 1000 }, () => draws.shift() ?? 0);
      expect(await failConnects(page, 3)).toEqual([100, 1800, 0]);
    });

    it('starts again from the first step after a connection that stayed up for stableAfterMs', async () => {
      const page = setup({ baseDelayMs: 1000, stableAfterMs: 10_000 }, () => 0.5);
      await failConnects(page, 3); // attempts 1-3, the 4th socket is now connecting
      connected(page.latest());
      await page.clock.advance(10_000);
      page.latest().serverClose(1001);
      expect(page.events[page.events.length - 1]).toEqual(['reconnecting', { attempt: 1, delayMs: 500 }]);
    });

    it('keeps growing after a connection that dropped before stableAfterMs', async () => {
      const page = setup({ baseDelayMs: 1000, stableAfterMs: 10_000 }, () => 0.5);
      await failConnects(page, 3);
      connected(page.latest());
      await page.clock.advance(9_999);
      page.latest().serverClose(1001);
      expect(page.events[page.events.length - 1]).toEqual(['reconnecting', { attempt: 4, delayMs: 4000 }]);
    });
  });

  describe('close()', () => {
    const closeDuring: Record<string, (page: ReturnType<typeof setup>) => Promise<void>> = {
      connecting: () => Promise.resolve(),
      open: (page) => {
        connected(page.latest());
        return Promise.resolve();
      },
      'the reconnect delay': (page) => {
        connected(page.latest());
        page.latest().serverClose(1001);
        return Promise.resolve();
      },
      'the /auth/user probe': (page) => {
        page.latest().serverClose(1006); // the probe is now in flight
        return Promise.resolve();
      },
    };

    it.each(Object.keys(closeDuring))('stops everything when called during %s', async (phase) => {
      const page = setup();
      await closeDuring[phase]!(page);
      const socket = page.latest();
      const eventsBefore = page.events.length;
      page.stream.close();
      await settle();
      await page.clock.advance(10 * 60_000);
      socket.serverClose(1000);
      expect(page.sockets).toHaveLength(1);
      expect(page.events).toHaveLength(eventsBefore);
      expect(page.stream.state).toBe('closed');
      expect(page.clock.pendingDelays()).toEqual([]);
    });

    it('closes an open socket with 1000', () => {
      const { stream, latest } = setup();
      connected(latest());
      stream.close();
      expect(latest().closedByClient).toEqual([{ code: 1000, reason: 'closed by the page' }]);
    });

    it('may be called from an event handler: no reconnect is scheduled after it', async () => {
      const page = setup();
      const stream: BffNotifications = page.stream;
      stream.on('close', () => {
        stream.close();
      });
      connected(page.latest());
      page.latest().serverClose(1001);
      await page.clock.advance(60_000);
      expect(page.sockets).toHaveLength(1);
      expect(page.events.map(([name]) => name)).toEqual(['open', 'ready', 'close']);
    });
  });

  it('stops delivering to a handler removed through what on() returned', () => {
    const { stream, latest } = setup();
    const received: unknown[] = [];
    const remove = stream.on('message', (frame) => received.push(frame));
    connected(latest());
    latest().receive({ type: 'a' });
    remove();
    latest().receive({ type: 'b' });
    expect(received).toEqual([{ type: 'a' }]);
  });

  it('stops delivering to a handler removed with off()', () => {
    const { stream, latest } = setup();
    const received: unknown[] = [];
    const handler = (frame: unknown) => received.push(frame);
    stream.on('message', handler);
    connected(latest());
    latest().receive({ type: 'a' });
    stream.off('message', handler);
    latest().receive({ type: 'b' });
    expect(received).toEqual([{ type: 'a' }]);
  });

  describe('when the browser comes back online', () => {
    it('reconnects at once instead of waiting out the delay', async () => {
      const { latest, sockets, clock, network } = setup({ baseDelayMs: 10_000 });
      connected(latest());
      latest().serverClose(1006);
      expect(clock.pendingDelays()).toEqual([5000]);
      network.goOnline();
      expect(sockets).toHaveLength(2);
      // The reconnect delay is gone; only the new socket's connect timeout runs.
      expect(clock.pendingDelays()).toEqual([10_000]);
      connected(latest());
      await clock.advance(60_000);
      expect(sockets).toHaveLength(2);
    });

    it('changes nothing while a socket is open or connecting', () => {
      const { latest, sockets, network } = setup();
      network.goOnline();
      expect(sockets).toHaveLength(1);
      connected(latest());
      network.goOnline();
      expect(sockets).toHaveLength(1);
    });

    it('stops listening once the stream is closed or the session ended', async () => {
      const closed = setup();
      expect(closed.network.listeners()).toBe(1);
      closed.stream.close();
      expect(closed.network.listeners()).toBe(0);

      const ended = setup();
      connected(ended.latest());
      ended.answerUserWith(401);
      ended.latest().serverClose(4001);
      await settle();
      expect(ended.network.listeners()).toBe(0);
      ended.network.goOnline();
      expect(ended.sockets).toHaveLength(1);
    });
  });
});
