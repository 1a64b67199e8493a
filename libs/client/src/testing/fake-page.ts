/**
 * A page running the client against fakes: the test answers its HTTP calls, plays its sockets and
 * moves its clock. Pages given one `fakeBroadcastChannels()` are tabs of one origin.
 */
import { createBffClient, type BffClientOptions } from '../bff-client.js';
import type { BffClientEvents } from '../session-tracker.js';
import {
  FakeClock,
  fakeBroadcastChannels,
  fakeFetch,
  fakeLocation,
  fakeWebSocket,
  type RecordedRequest,
} from './fake-browser.js';

/** `GET /auth/user` of alice as the BFF answers it. */
export const ALICE = {
  sub: 'alice',
  claims: { sub: 'alice' },
  sessionExpiresAt: '2030-01-01T01:00:00.000Z',
  logoutUrl: '/auth/logout?sid=s1',
};

/** The 401 of a request without a session. */
export const NO_SESSION = { error: 'session_required', message: 'A valid session is required.' };

const CLIENT_EVENTS: (keyof BffClientEvents)[] = ['session-ended', 'logged-out', 'signed-in', 'expiring'];

/** Opens a page whose requests `answer` answers; `tabs` connects it to other pages of the origin. */
export function openPage(
  answer: (request: RecordedRequest) => Response | Promise<Response>,
  options: BffClientOptions = {},
  tabs: ReturnType<typeof fakeBroadcastChannels> = fakeBroadcastChannels(),
  clock = new FakeClock(),
) {
  const location = fakeLocation('https://app.example/orders/7?tab=2');
  const { fetch, requests } = fakeFetch(answer);
  const { WebSocket, sockets } = fakeWebSocket();
  const bff = createBffClient({
    fetch,
    WebSocket,
    location,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
    now: clock.now,
    onOnline: () => () => undefined,
    BroadcastChannel: tabs.BroadcastChannel,
    ...options,
  });
  /** Every client event, in order. */
  const events: [keyof BffClientEvents, Record<string, unknown>][] = [];
  for (const name of CLIENT_EVENTS) bff.on(name, (payload) => events.push([name, { ...payload }]));
  return { bff, clock, location, requests, sockets, events, tabs };
}
