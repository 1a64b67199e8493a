import { BffArgumentError } from './errors.js';
import { MAX_TIMER_MS } from './session-watch.js';
import {
  FakeClock,
  fakeBroadcastChannels,
  jsonResponse,
  settle,
  type RecordedRequest,
} from './testing/fake-browser.js';
import { ALICE, NO_SESSION, openPage } from './testing/fake-page.js';

const MINUTE = 60_000;
const EPOCH = Date.parse('2030-01-01T00:00:00Z');
const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * A BFF with a 10-minute idle and an 8-hour absolute lifetime: `/auth/user` and `/api` calls slide
 * the idle expiry, `?slide=false` does not; past the expiry it answers 401. Its `Date` header is
 * its own clock, `skewMs` ahead of the page's.
 */
function fakeBff(clock: FakeClock, skewMs = 0, absoluteMs = 8 * 60 * MINUTE) {
  const bff = { idle: EPOCH + skewMs + 10 * MINUTE, absolute: EPOCH + skewMs + absoluteMs, down: false };
  const answer = (request: RecordedRequest): Response | Promise<Response> => {
    const now = clock.now() + skewMs;
    const date = { date: new Date(now).toUTCString() };
    if (bff.down) return Promise.reject(new TypeError('Failed to fetch'));
    if (now >= Math.min(bff.idle, bff.absolute)) return jsonResponse(401, NO_SESSION, date);
    if (!request.url.endsWith('slide=false')) bff.idle = now + 10 * MINUTE;
    if (request.url.startsWith('/api/')) return jsonResponse(200, {}, date);
    const status = { idleExpiresAt: iso(bff.idle), absoluteExpiresAt: iso(bff.absolute) };
    return jsonResponse(200, { ...ALICE, sessionExpiresAt: iso(Math.min(bff.idle, bff.absolute)), ...status }, date);
  };
  return { bff, answer };
}

function setup(skewMs = 0, absoluteMs?: number) {
  const clock = new FakeClock(EPOCH);
  const { bff, answer } = fakeBff(clock, skewMs, absoluteMs);
  return { ...openPage(answer, {}, fakeBroadcastChannels(), clock), server: bff };
}

const expiring = (events: [string, unknown][]) => events.filter(([name]) => name === 'expiring');

describe('bff.watchSession()', () => {
  it('reads /auth/user?slide=false and fires expiring warnBeforeMs before the idle expiry, once', async () => {
    const { bff, clock, events, requests } = setup();
    bff.watchSession({ warnBeforeMs: MINUTE });
    await settle();
    expect(requests.map((r) => r.url)).toEqual(['/auth/user?slide=false']);
    await clock.advance(9 * MINUTE - 1);
    expect(events).toEqual([]);
    await clock.advance(1);
    expect(events).toEqual([
      [
        'expiring',
        {
          expiresAt: iso(EPOCH + 10 * MINUTE),
          idleExpiresAt: iso(EPOCH + 10 * MINUTE),
          absoluteExpiresAt: iso(EPOCH + 8 * 60 * MINUTE),
        },
      ],
    ]);
    expect(requests.every((r) => r.url === '/auth/user?slide=false')).toBe(true);
  });

  it('fires session-ended once the expiry passed and the BFF answers 401', async () => {
    const { bff, clock, events } = setup();
    bff.watchSession({ warnBeforeMs: MINUTE });
    await settle();
    await clock.advance(10 * MINUTE);
    expect(events.map(([name]) => name)).toEqual(['expiring', 'session-ended']);
    expect(events[1]).toEqual(['session-ended', { detectedBy: 'unauthenticated' }]);
    expect(clock.pendingDelays()).toEqual([]);
  });

  it('re-arms when an /api call slid the session: no warning for the expiry that moved', async () => {
    const { bff, clock, events } = setup();
    bff.watchSession({ warnBeforeMs: MINUTE });
    await settle();
    await clock.advance(5 * MINUTE);
    await bff.fetch('demo', 'me'); // idle expiry now at 15 min
    await clock.advance(5 * MINUTE);
    expect(expiring(events)).toEqual([]);
    await clock.advance(4 * MINUTE);
    expect(expiring(events)).toHaveLength(1);
    expect(expiring(events)[0]![1]).toMatchObject({ idleExpiresAt: iso(EPOCH + 15 * MINUTE) });
  });

  it('after a warning, a sliding call re-arms at once, and the new expiry gets its own warning', async () => {
    const { bff, clock, events, requests } = setup();
    bff.watchSession({ warnBeforeMs: MINUTE });
    await settle();
    await clock.advance(9.5 * MINUTE);
    expect(expiring(events)).toHaveLength(1);
    await bff.fetch('demo', 'me'); // idle expiry now at 19.5 min
    await settle();
    expect(requests.at(-1)!.url).toBe('/auth/user?slide=false');
    await clock.advance(9 * MINUTE);
    expect(expiring(events).map(([, payload]) => (payload as { expiresAt: string }).expiresAt)).toEqual([
      iso(EPOCH + 10 * MINUTE),
      iso(EPOCH + 19.5 * MINUTE),
    ]);
    expect(events.map(([name]) => name)).not.toContain('session-ended');
  });

  it('takes a sliding user() answer as the new expiry without asking again', async () => {
    const { bff, clock, requests } = setup();
    bff.watchSession({ warnBeforeMs: MINUTE });
    await settle();
    await clock.advance(3 * MINUTE);
    await bff.user();
    expect(requests).toHaveLength(2);
    expect(clock.pendingDelays()).toEqual([9 * MINUTE]);
  });

  it('warns of the absolute expiry when it comes first', async () => {
    const { bff, clock, events } = setup(0, 5 * MINUTE);
    bff.watchSession({ warnBeforeMs: MINUTE });
    await settle();
    await clock.advance(4 * MINUTE);
    expect(expiring(events)[0]![1]).toMatchObject({ expiresAt: iso(EPOCH + 5 * MINUTE) });
  });

  it('uses sessionExpiresAt of an older BFF without the status fields', async () => {
    const clock = new FakeClock(EPOCH);
    const { bff, events } = openPage(
      () => jsonResponse(200, { ...ALICE, sessionExpiresAt: iso(EPOCH + 2 * MINUTE) }),
      {},
      fakeBroadcastChannels(),
      clock,
    );
    bff.watchSession({ warnBeforeMs: MINUTE });
    await settle();
    await clock.advance(MINUTE - 1);
    expect(events).toEqual([]);
    await clock.advance(1);
    expect(expiring(events)).toEqual([
      ['expiring', { expiresAt: iso(EPOCH + 2 * MINUTE), idleExpiresAt: undefined, absoluteExpiresAt: undefined }],
    ]);
  });

  it('counts from the BFF’s clock (its Date header) when this one is behind', async () => {
    const { bff, clock, events } = setup(60 * MINUTE); // the page thinks it is 00:00, the BFF 01:00
    bff.watchSession({ warnBeforeMs: MINUTE });
    await settle();
    expect(clock.pendingDelays()).toEqual([9 * MINUTE]);
    await clock.advance(9 * MINUTE);
    expect(expiring(events)).toHaveLength(1);
  });

  it('caps a far expiry at the longest setTimeout delay, asking again each time it passes', async () => {
    const clock = new FakeClock(EPOCH);
    const far = { ...ALICE, sessionExpiresAt: '9999-12-31T23:59:59.000Z', idleExpiresAt: '9999-12-31T23:59:59.000Z' };
    const { bff, requests, events } = openPage(() => jsonResponse(200, far), {}, fakeBroadcastChannels(), clock);
    bff.watchSession();
    await settle();
    expect(clock.pendingDelays()).toEqual([MAX_TIMER_MS]);
    await clock.advance(MAX_TIMER_MS);
    expect(requests).toHaveLength(2);
    expect(clock.pendingDelays()).toEqual([MAX_TIMER_MS]);
    expect(events).toEqual([]);
  });

  it('does not end the session on its own clock: an expiry past while the BFF still answers is asked again', async () => {
    const clock = new FakeClock(EPOCH);
    let alive = true;
    const stale = { ...ALICE, sessionExpiresAt: iso(EPOCH - MINUTE) };
    const { bff, events, requests } = openPage(
      () => (alive ? jsonResponse(200, stale) : jsonResponse(401, NO_SESSION)),
      {},
      fakeBroadcastChannels(),
      clock,
    );
    bff.watchSession();
    await settle();
    expect(clock.pendingDelays()).toEqual([1000]);
    await clock.advance(1000);
    expect(clock.pendingDelays()).toEqual([2000]);
    expect(events).toEqual([]);
    alive = false;
    await clock.advance(2000);
    expect(requests).toHaveLength(3);
    expect(events).toEqual([['session-ended', { detectedBy: 'unauthenticated' }]]);
  });

  it('asks again with back-off while the BFF cannot be reached, without firing anything', async () => {
    const { bff, clock, events, server } = setup();
    server.down = true;
    bff.watchSession();
    await settle();
    expect(clock.pendingDelays()).toEqual([1000]);
    await clock.advance(1000 + 2000 + 4000);
    expect(clock.pendingDelays()).toEqual([8000]);
    server.down = false;
    await clock.advance(8000);
    expect(clock.pendingDelays()).toEqual([9 * MINUTE - 15_000]);
    expect(events).toEqual([]);
  });

  it('stops: no timer left, nothing asked or fired', async () => {
    const { bff, clock, events, requests } = setup();
    const stop = bff.watchSession();
    await settle();
    stop();
    expect(clock.pendingDelays()).toEqual([]);
    await clock.advance(20 * MINUTE);
    expect(requests).toHaveLength(1);
    expect(events).toEqual([]);
  });

  it('refuses a warnBeforeMs that is not a non-negative number', () => {
    const { bff } = setup();
    for (const warnBeforeMs of [-1, Number.NaN, Infinity, '60' as unknown as number]) {
      expect(() => bff.watchSession({ warnBeforeMs })).toThrow(BffArgumentError);
    }
  });
});
