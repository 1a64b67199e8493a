import { createBffClient, type BffClientOptions, type UnauthenticatedEvent } from './bff-client.js';
import { BffArgumentError, BffHttpError, BffInvalidResponseError, BffNetworkError, BffTimeoutError } from './errors.js';
import {
  FakeClock,
  fakeFetch,
  fakeLocation,
  jsonResponse,
  never,
  type RecordedRequest,
} from './testing/fake-browser.js';

const ALICE = {
  sub: 'alice',
  claims: { sub: 'alice', name: 'Alice Example' },
  sessionExpiresAt: '2030-01-01T00:00:00.000Z',
  logoutUrl: '/auth/logout?sid=s3cr3t',
};
const NO_SESSION = { error: 'session_required', message: 'A valid session is required; log in at /auth/login.' };

function setup(answer: (request: RecordedRequest) => Response | Promise<Response>, options: BffClientOptions = {}) {
  const clock = new FakeClock();
  const location = fakeLocation('https://app.example/orders/7?tab=2');
  const { fetch, requests } = fakeFetch(answer);
  const bff = createBffClient({
    fetch,
    location,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
    BroadcastChannel: null, // tab sync has its own spec
    ...options,
  });
  return { bff, clock, location, requests };
}

describe('bff.user()', () => {
  it('returns the user from GET /auth/user, sent with X-CSRF: 1 and the session cookie', async () => {
    const { bff, requests } = setup(() => jsonResponse(200, ALICE));
    await expect(bff.user()).resolves.toEqual(ALICE);
    expect(requests).toHaveLength(1);
    expect(requests[0]!.url).toBe('/auth/user');
    expect(requests[0]!.headers.get('x-csrf')).toBe('1');
    expect(requests[0]!.init.credentials).toBe('same-origin');
  });

  it('returns null without a session (401)', async () => {
    const { bff } = setup(() => jsonResponse(401, NO_SESSION));
    await expect(bff.user()).resolves.toBeNull();
  });

  it('throws a BffHttpError with the status and JSON body on a 5xx', async () => {
    const body = { error: 'store_unavailable', message: 'Redis is away' };
    const { bff } = setup(() => jsonResponse(503, body));
    const error = await bff.user().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BffHttpError);
    expect(error).toMatchObject({ status: 503, body, errorCode: 'store_unavailable', code: 'http', url: '/auth/user' });
  });

  it('throws a BffInvalidResponseError on a 200 that is not a user', async () => {
    const { bff } = setup(() => jsonResponse(200, { sub: 'alice', claims: {}, sessionExpiresAt: 'x' }));
    await expect(bff.user()).rejects.toBeInstanceOf(BffInvalidResponseError);
  });

  it('refuses a logoutUrl that leaves the site', async () => {
    const { bff } = setup(() => jsonResponse(200, { ...ALICE, logoutUrl: '//evil.example/' }));
    await expect(bff.user()).rejects.toBeInstanceOf(BffInvalidResponseError);
  });

  it('times out after timeoutMs with a BffTimeoutError, aborting the request', async () => {
    const { bff, clock, requests } = setup(never, { timeoutMs: 2000 });
    const result = bff.user().catch((e: unknown) => e);
    await clock.advance(1999);
    expect(requests[0]!.init.signal?.aborted).toBe(false);
    await clock.advance(1);
    expect(await result).toBeInstanceOf(BffTimeoutError);
    expect(requests[0]!.init.signal?.aborted).toBe(true);
    expect(clock.pendingDelays()).toEqual([]);
  });

  it('reports an unreachable BFF as a BffNetworkError and clears its timer', async () => {
    const { bff, clock } = setup(() => Promise.reject(new TypeError('Failed to fetch')));
    const error = await bff.user().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BffNetworkError);
    expect((error as BffNetworkError).cause).toBeInstanceOf(TypeError);
    expect(clock.pendingDelays()).toEqual([]);
  });
});

describe('bff.login() and bff.logout()', () => {
  it('navigates to /auth/login, returning to the current page by default', () => {
    const { bff, location } = setup(never);
    bff.login();
    bff.login('/settings?x=1');
    expect(location.assigned).toEqual([
      '/auth/login?returnTo=%2Forders%2F7%3Ftab%3D2',
      '/auth/login?returnTo=%2Fsettings%3Fx%3D1',
    ]);
  });

  it('sends an empty returnTo as /, where the BFF would return it', () => {
    const { bff, location } = setup(never);
    bff.login('');
    expect(location.assigned).toEqual(['/auth/login?returnTo=%2F']);
  });

  it('refuses a returnTo that is not a path on this site, before navigating', () => {
    const { bff, location } = setup(never);
    expect(() => {
      bff.login('https://evil.example/');
    }).toThrow(BffArgumentError);
    expect(location.assigned).toEqual([]);
  });

  it('logs out by navigating to the logoutUrl of the current session, asked afresh', async () => {
    const { bff, location, requests } = setup(() => jsonResponse(200, ALICE));
    await expect(bff.logout()).resolves.toBe(true);
    expect(requests.map((r) => r.url)).toEqual(['/auth/user']);
    expect(location.assigned).toEqual(['/auth/logout?sid=s3cr3t']);
  });

  it('does not navigate when there is no session to log out of', async () => {
    const { bff, location } = setup(() => jsonResponse(401, NO_SESSION));
    await expect(bff.logout()).resolves.toBe(false);
    expect(location.assigned).toEqual([]);
  });

  it('puts a baseUrl in front of every BFF path', async () => {
    const { bff, location, requests } = setup(() => jsonResponse(200, ALICE), { baseUrl: '/bff' });
    bff.login('/');
    await bff.logout();
    await bff.fetch('demo', 'me');
    expect(location.assigned).toEqual(['/bff/auth/login?returnTo=%2F', '/bff/auth/logout?sid=s3cr3t']);
    expect(requests.map((r) => r.url)).toEqual(['/bff/auth/user', '/bff/api/demo/me']);
  });
});

describe('bff.fetch()', () => {
  it('sends to /api/<route>/<path> with X-CSRF: 1, keeping the caller’s method, headers and body', async () => {
    const { bff, requests } = setup(() => jsonResponse(202, { accepted: true }));
    const response = await bff.fetch('demo', '/notify', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf': '0' },
      body: '{"message":"hi"}',
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: true });
    const [request] = requests;
    expect(request!.url).toBe('/api/demo/notify');
    expect(request!.init.method).toBe('POST');
    expect(request!.init.body).toBe('{"message":"hi"}');
    expect(request!.headers.get('x-csrf')).toBe('1');
    expect(request!.headers.get('content-type')).toBe('application/json');
  });

  it('refuses an unsafe route or path without sending anything', async () => {
    const { bff, requests } = setup(() => jsonResponse(200, {}));
    await expect(bff.fetch('demo', '../../auth/user')).rejects.toBeInstanceOf(BffArgumentError);
    await expect(bff.fetch('../auth', 'user')).rejects.toBeInstanceOf(BffArgumentError);
    expect(requests).toEqual([]);
  });

  it('rejects a non-2xx answer with a BffHttpError carrying the status and the body', async () => {
    const { bff } = setup(() => jsonResponse(504, { error: 'upstream_timeout', message: 'The upstream timed out.' }));
    await expect(bff.fetch('demo', 'slow', { method: 'delete' })).rejects.toMatchObject({
      status: 504,
      method: 'DELETE',
      url: '/api/demo/slow',
      errorCode: 'upstream_timeout',
      body: { error: 'upstream_timeout', message: 'The upstream timed out.' },
    });
  });

  it('keeps a non-JSON error body as text', async () => {
    const { bff } = setup(() => new Response('teapot', { status: 418, headers: { 'content-type': 'text/plain' } }));
    await expect(bff.fetch('demo', 'tea')).rejects.toMatchObject({ status: 418, body: 'teapot', errorCode: undefined });
  });

  it('times out until the headers only, then leaves the body to the caller', async () => {
    const { bff, clock } = setup(never, { timeoutMs: 500 });
    const result = bff.fetch('demo', 'me').catch((e: unknown) => e);
    await clock.advance(500);
    expect(await result).toMatchObject({ code: 'timeout', timeoutMs: 500, url: '/api/demo/me' });
  });

  it('leaves reading the body to the caller’s signal once the answer arrived', async () => {
    const { bff, clock, requests } = setup(() => jsonResponse(200, {}), { timeoutMs: 500 });
    const controller = new AbortController();
    await bff.fetch('demo', 'me', { signal: controller.signal });
    expect(clock.pendingDelays()).toEqual([]);
    controller.abort();
    expect(requests[0]!.init.signal?.aborted).toBe(true);
  });

  it('rejects with the caller’s own abort reason, unwrapped', async () => {
    const { bff } = setup(never);
    const controller = new AbortController();
    const result = bff.fetch('demo', 'me', { signal: controller.signal }).catch((e: unknown) => e);
    const reason = new Error('user navigated away');
    controller.abort(reason);
    expect(await result).toBe(reason);
  });

  describe('on 401', () => {
    it('rejects with the 401 BffHttpError when no onUnauthenticated hook is set', async () => {
      const { bff } = setup(() => jsonResponse(401, NO_SESSION));
      await expect(bff.fetch('demo', 'me')).rejects.toMatchObject({ status: 401, errorCode: 'session_required' });
    });

    it('calls the hook once with the failed call, and rejects when it does not ask for a retry', async () => {
      const events: UnauthenticatedEvent[] = [];
      const { bff, requests } = setup(() => jsonResponse(401, NO_SESSION), {
        onUnauthenticated: (event) => {
          events.push(event);
        },
      });
      const error = await bff.fetch('demo', '/me', { method: 'POST', body: 'x' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BffHttpError);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ route: 'demo', path: '/me', method: 'POST', error });
      expect(requests).toHaveLength(1);
    });

    it('retries the call once when the hook asks for it, and resolves with the new answer', async () => {
      let logged = false;
      const hook = jest.fn(async ({ retry }: UnauthenticatedEvent) => {
        await Promise.resolve(); // e.g. a login in a pop-up
        logged = true;
        retry();
      });
      const { bff, requests } = setup(
        () => (logged ? jsonResponse(200, { sub: 'alice' }) : jsonResponse(401, NO_SESSION)),
        {
          onUnauthenticated: hook,
        },
      );
      const response = await bff.fetch('demo', 'me', { method: 'PUT', body: 'payload' });
      expect(await response.json()).toEqual({ sub: 'alice' });
      expect(hook).toHaveBeenCalledTimes(1);
      expect(requests.map((r) => [r.url, r.init.method, r.init.body, r.headers.get('x-csrf')])).toEqual([
        ['/api/demo/me', 'PUT', 'payload', '1'],
        ['/api/demo/me', 'PUT', 'payload', '1'],
      ]);
    });

    it('does not ask the hook again when the retry is a 401 too', async () => {
      const hook = jest.fn(({ retry }: UnauthenticatedEvent) => {
        retry();
      });
      const { bff, requests } = setup(() => jsonResponse(401, NO_SESSION), { onUnauthenticated: hook });
      await expect(bff.fetch('demo', 'me')).rejects.toMatchObject({ status: 401 });
      expect(hook).toHaveBeenCalledTimes(1);
      expect(requests).toHaveLength(2);
    });

    it('asks the hook once for calls that fail together', async () => {
      let release: () => void = () => undefined;
      const hook = jest.fn(async ({ retry }: UnauthenticatedEvent) => {
        await new Promise<void>((resolve) => (release = resolve));
        retry();
      });
      let loggedIn = false;
      const { bff } = setup(() => (loggedIn ? jsonResponse(200, {}) : jsonResponse(401, NO_SESSION)), {
        onUnauthenticated: hook,
      });
      const calls = [bff.fetch('demo', 'a'), bff.fetch('demo', 'b'), bff.fetch('demo', 'c')];
      await new Promise((resolve) => setTimeout(resolve, 10));
      loggedIn = true;
      release();
      const statuses = (await Promise.all(calls)).map((r) => r.status);
      expect(statuses).toEqual([200, 200, 200]);
      expect(hook).toHaveBeenCalledTimes(1);
    });

    it('offers login() to the hook, which navigates to the login and back to this page', async () => {
      const { bff, location } = setup(() => jsonResponse(401, NO_SESSION), {
        onUnauthenticated: ({ login }) => login(),
      });
      await expect(bff.fetch('demo', 'me')).rejects.toBeInstanceOf(BffHttpError);
      expect(location.assigned).toEqual(['/auth/login?returnTo=%2Forders%2F7%3Ftab%3D2']);
    });

    it('does not retry a stream body, which the first attempt consumed', async () => {
      const hook = jest.fn(({ retry }: UnauthenticatedEvent) => {
        retry();
      });
      const { bff, requests } = setup(() => jsonResponse(401, NO_SESSION), { onUnauthenticated: hook });
      const body = new ReadableStream({ start: (controller) => controller.close() });
      await expect(bff.fetch('demo', 'upload', { method: 'POST', body })).rejects.toMatchObject({ status: 401 });
      expect(requests).toHaveLength(1);
    });
  });
});
