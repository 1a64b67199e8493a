import { createBffClient } from './bff-client.js';
import type { NotificationEvents } from './notifications.js';
import { channelName, parseTabMessage } from './tab-sync.js';
import { fakeBroadcastChannels, fakeLocation, jsonResponse, settle } from './testing/fake-browser.js';
import { ALICE, NO_SESSION, openPage } from './testing/fake-page.js';

/** Two tabs of one origin; `signedIn` is the cookie they share, `status` what /api answers. */
function twoTabs(baseUrls: [string, string] = ['', '']) {
  const tabs = fakeBroadcastChannels();
  const bff = { signedIn: true, sub: 'alice' };
  const answer = ({ url }: { url: string }): Response => {
    if (!bff.signedIn) return jsonResponse(401, NO_SESSION);
    return url.includes('/auth/user') ? jsonResponse(200, { ...ALICE, sub: bff.sub }) : jsonResponse(200, {});
  };
  const a = openPage(answer, { baseUrl: baseUrls[0] }, tabs);
  const b = openPage(answer, { baseUrl: baseUrls[1] }, tabs);
  return { a, b, tabs, bff };
}

/** The payload of `signed-in` from another tab. */
function signedIn(user: string): Record<string, unknown> {
  return { sub: user, detectedBy: 'other-tab' };
}

/** Opens B's notification stream, connected, recording its events. */
function streamOf(page: ReturnType<typeof openPage>) {
  const stream = page.bff.notifications();
  const events: [keyof NotificationEvents, unknown][] = [];
  stream.on('session-ended', (payload) => events.push(['session-ended', payload]));
  stream.on('reconnecting', (payload) => events.push(['reconnecting', payload]));
  page.sockets[0]!.open();
  return { stream, events, socket: page.sockets[0]! };
}

describe('tab sync', () => {
  it('a logout in one tab reaches the other at once: logged-out, and its stream ends without a close from the BFF', async () => {
    const { a, b } = twoTabs();
    await b.bff.user();
    const feed = streamOf(b);
    await a.bff.logout();
    await settle();
    expect(a.location.assigned).toEqual(['/auth/logout?sid=s1']);
    expect(b.events).toEqual([['logged-out', { detectedBy: 'other-tab' }]]);
    expect(feed.events).toEqual([['session-ended', { detectedBy: 'other-tab' }]]);
    expect(feed.stream.state).toBe('closed');
    expect(feed.socket.closedByClient).toEqual([{ code: 1000, reason: 'session ended in another tab' }]);
  });

  it('ends a stream waiting to reconnect, so no socket opens after the other tab’s logout', async () => {
    const { a, b } = twoTabs();
    const feed = streamOf(b);
    feed.socket.serverClose(1006);
    expect(feed.events.map(([name]) => name)).toEqual(['reconnecting']);
    await a.bff.logout();
    await settle();
    await b.clock.advance(60_000);
    expect(b.sockets).toHaveLength(1);
    expect(feed.events.at(-1)).toEqual(['session-ended', { detectedBy: 'other-tab' }]);
  });

  it('stops the expiry watch of the other tabs: nothing is left to warn of', async () => {
    const { a, b } = twoTabs();
    b.bff.watchSession();
    await settle();
    expect(b.clock.pendingDelays()).toHaveLength(1);
    await a.bff.logout();
    await settle();
    expect(b.clock.pendingDelays()).toEqual([]);
  });

  it('tells the other tabs before navigating to the logout', async () => {
    const tabs = fakeBroadcastChannels();
    const seen: number[] = [];
    const location = { ...fakeLocation(), assign: () => seen.push(tabs.posted.length) };
    const bff = createBffClient({
      fetch: () => Promise.resolve(jsonResponse(200, ALICE)),
      location,
      BroadcastChannel: tabs.BroadcastChannel,
    });
    await bff.logout();
    expect(seen).toEqual([2]); // signed-in (first sight of the session), then logged-out
    expect(tabs.posted.at(-1)!.data).toEqual({ type: 'logged-out' });
    bff.close();
  });

  it('a session seen ending in one tab (401 from user()) ends it in the others', async () => {
    const { a, b, bff } = twoTabs();
    await a.bff.user();
    await b.bff.user();
    await settle(); // the tabs heard of each other's session
    bff.signedIn = false;
    await expect(a.bff.user()).resolves.toBeNull();
    await settle();
    expect(a.events).toEqual([['session-ended', { detectedBy: 'unauthenticated' }]]);
    expect(b.events).toEqual([['session-ended', { detectedBy: 'other-tab' }]]);
  });

  it('an /api 401 and a 4001 close count as an ended session too', async () => {
    const { a, b, bff } = twoTabs();
    bff.signedIn = false;
    await expect(a.bff.fetch('demo', 'me')).rejects.toMatchObject({ status: 401 });
    await settle();
    expect(b.events).toEqual([['session-ended', { detectedBy: 'other-tab' }]]);

    const again = twoTabs();
    const feed = streamOf(again.a);
    again.bff.signedIn = false;
    feed.socket.serverClose(4001, 'session ended');
    await settle();
    expect(again.a.events).toEqual([['session-ended', { detectedBy: 'close-code' }]]);
    expect(again.b.events).toEqual([['session-ended', { detectedBy: 'other-tab' }]]);
  });

  it('a 4001 for a session another tab’s login replaced ends nothing: the stream reconnects on the new one', async () => {
    const { a, b } = twoTabs();
    await a.bff.user();
    await b.bff.user();
    await settle();
    const feed = streamOf(a);
    feed.socket.serverClose(4001, 'session ended');
    await settle();
    expect(feed.events).toEqual([['reconnecting', { attempt: 1, delayMs: expect.any(Number) as number }]]);
    await a.clock.advance((feed.events[0]![1] as { delayMs: number }).delayMs);
    expect(a.sockets).toHaveLength(2);
    a.sockets[1]!.open();
    expect(feed.stream.state).toBe('open');
    expect([...a.events, ...b.events].filter(([name]) => name !== 'signed-in')).toEqual([]);
  });

  it('a stream whose connect fails and whose session probe answers 401 ends the session in every tab', async () => {
    const { a, b, bff } = twoTabs();
    await a.bff.user();
    await settle();
    const feed = a.bff.notifications();
    bff.signedIn = false;
    a.sockets[0]!.serverClose(1006); // a refused upgrade, as a browser reports it
    await settle();
    expect(a.events).toEqual([['session-ended', { detectedBy: 'session-probe' }]]);
    expect(b.events).toEqual([
      ['signed-in', signedIn('alice')],
      ['session-ended', { detectedBy: 'other-tab' }],
    ]);
    expect(feed.state).toBe('closed');
  });

  it('fires once per ended session, and a tab ended by another does not echo it back', async () => {
    const { a, b, tabs, bff } = twoTabs();
    await a.bff.user();
    await b.bff.user();
    await settle(); // the tabs heard of each other's session
    const feed = streamOf(b);
    bff.signedIn = false;
    await a.bff.user();
    await a.bff.fetch('demo', 'me').catch(() => undefined);
    await settle();
    expect(b.events).toEqual([['session-ended', { detectedBy: 'other-tab' }]]);
    expect(feed.events).toEqual([['session-ended', { detectedBy: 'other-tab' }]]);
    // Each tab announced its first sight of the session; only A announced its end.
    expect(tabs.posted.map((p) => p.data)).toEqual([
      { type: 'signed-in', sub: 'alice' },
      { type: 'signed-in', sub: 'alice' },
      { type: 'session-ended' },
    ]);
  });

  it('a page opened without a session tells nobody', async () => {
    const { a, b, tabs, bff } = twoTabs();
    bff.signedIn = false;
    await a.bff.user();
    await settle();
    expect(tabs.posted).toEqual([]);
    expect(b.events).toEqual([]);
  });

  it('announces a session new to the other tabs: signed-in, not to a tab that knows it', async () => {
    const { a, b, bff } = twoTabs();
    bff.signedIn = false;
    await b.bff.user(); // B is signed out
    bff.signedIn = true;
    await a.bff.user(); // a login completed in A
    await settle();
    expect(b.events).toEqual([['signed-in', signedIn('alice')]]);
    await b.bff.user(); // B catches up, and its announcement is old news to A
    await settle();
    expect(a.events).toEqual([]);
    bff.sub = 'bob'; // the last login completed wins the shared cookie
    await a.bff.user();
    await settle();
    expect(b.events.at(-1)).toEqual(['signed-in', signedIn('bob')]);
  });

  it('ignores anything on the channel that is not one of its messages', async () => {
    const { b, tabs } = twoTabs();
    await b.bff.user();
    const feed = streamOf(b);
    const name = channelName('');
    for (const data of [
      null,
      'logged-out',
      [{ type: 'logged-out' }],
      { type: 'LOGGED-OUT' },
      { kind: 'session-ended' },
      { type: 'signed-in' },
      { type: 'signed-in', sub: '' },
      { type: 'signed-in', sub: 7 },
      { type: 'signed-in', sub: 'x'.repeat(256) },
    ]) {
      tabs.inject(name, data);
    }
    await settle();
    expect(b.events).toEqual([]);
    expect(feed.stream.state).toBe('open');
  });

  it('parses exactly the three messages', () => {
    expect(parseTabMessage({ type: 'logged-out', extra: 1 })).toEqual({ type: 'logged-out' });
    expect(parseTabMessage({ type: 'signed-in', sub: 'alice', token: 'x' })).toEqual({
      type: 'signed-in',
      sub: 'alice',
    });
    expect(parseTabMessage({ type: 'session-ended' })).toEqual({ type: 'session-ended' });
    expect(parseTabMessage({ type: 'expired' })).toBeUndefined();
  });

  it('keeps two BFFs of one origin apart: the channel is named by baseUrl', async () => {
    const { a, b, tabs } = twoTabs(['/one', '/two']);
    await a.bff.logout();
    await settle();
    expect(b.events).toEqual([]);
    expect(tabs.open().sort()).toEqual([channelName('/one'), channelName('/two')]);
    expect(channelName('/one')).not.toBe(channelName(''));
  });

  it('opens the channel only when needed: a listener, a stream, a watch or a message to send', async () => {
    const tabs = fakeBroadcastChannels();
    const make = () =>
      createBffClient({
        fetch: () => Promise.resolve(jsonResponse(401, NO_SESSION)),
        location: fakeLocation(),
        BroadcastChannel: tabs.BroadcastChannel,
      });
    const quiet = make();
    await quiet.user();
    expect(tabs.open()).toEqual([]);
    make().on('logged-out', () => undefined);
    expect(tabs.open()).toEqual([channelName('')]);
    const closed = make();
    closed.close();
    await closed.fetch('demo', 'me').catch(() => undefined); // an ended session, but the client is closed
    expect(tabs.open()).toEqual([channelName('')]);
    expect(tabs.posted).toEqual([]);
    await make()
      .fetch('demo', 'me')
      .catch(() => undefined); // an ended session: told to the other tabs
    expect(tabs.posted.map((p) => p.data)).toEqual([{ type: 'session-ended' }]);
  });

  it('leaves the channel on close(): nothing is received afterwards', async () => {
    const { a, b } = twoTabs();
    b.bff.close();
    await a.bff.logout();
    await settle();
    expect(b.events).toEqual([]);
  });

  it('works without tab sync: BroadcastChannel null, or a page that has none', async () => {
    const page = openPage(() => jsonResponse(200, ALICE), { BroadcastChannel: null });
    await expect(page.bff.logout()).resolves.toBe(true);
    expect(page.tabs.posted).toEqual([]);

    const global = globalThis as { BroadcastChannel?: unknown };
    const own = global.BroadcastChannel;
    delete global.BroadcastChannel;
    try {
      const location = fakeLocation();
      const bff = createBffClient({ fetch: () => Promise.resolve(jsonResponse(200, ALICE)), location });
      await expect(bff.logout()).resolves.toBe(true);
      expect(location.assigned).toEqual(['/auth/logout?sid=s1']);
      bff.close();
    } finally {
      global.BroadcastChannel = own;
    }
  });
});
