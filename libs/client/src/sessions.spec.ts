import { BffArgumentError, BffHttpError, BffInvalidResponseError } from './errors.js';
import { jsonResponse, settle, type RecordedRequest } from './testing/fake-browser.js';
import { ALICE, NO_SESSION, openPage } from './testing/fake-page.js';

const HERE = {
  handle: 'h-here',
  createdAt: '2030-01-01T00:00:00.000Z',
  lastSeenAt: '2030-01-01T00:10:00.000Z',
  expiresAt: '2030-01-01T00:40:00.000Z',
  userAgent: 'Firefox',
  current: true,
};
const PHONE = { ...HERE, handle: 'h/phone?x', userAgent: null, current: false };
const LAPTOP = { ...HERE, handle: 'h-laptop', userAgent: 'Chrome', current: false };

/** A BFF with these sessions: DELETE of a listed handle is 204 (once), of anything else 404. */
function bffWith(sessions: unknown[], overrides: (request: RecordedRequest) => Response | undefined = () => undefined) {
  const live = new Set(sessions.map((s) => (s as { handle: string }).handle));
  return (request: RecordedRequest): Response => {
    const override = overrides(request);
    if (override) return override;
    if (request.url === '/auth/user') return jsonResponse(200, ALICE);
    if (request.url === '/auth/sessions') return jsonResponse(200, sessions);
    const handle = decodeURIComponent(request.url.slice('/auth/sessions/'.length));
    if (request.init.method === 'DELETE' && live.delete(handle)) return new Response(null, { status: 204 });
    return jsonResponse(404, { error: 'session_not_found', message: 'No such session.' });
  };
}

describe('bff.sessions().list()', () => {
  it('lists the user’s sessions from GET /auth/sessions with X-CSRF: 1', async () => {
    const { bff, requests } = openPage(bffWith([HERE, PHONE]));
    await expect(bff.sessions().list()).resolves.toEqual([HERE, PHONE]);
    expect(requests[0]!.headers.get('x-csrf')).toBe('1');
    expect(requests[0]!.init.credentials).toBe('same-origin');
  });

  it('reads a missing userAgent as null', async () => {
    const { userAgent: _, ...withoutAgent } = PHONE;
    const { bff } = openPage(bffWith([withoutAgent]));
    await expect(bff.sessions().list()).resolves.toEqual([PHONE]);
  });

  it('reads a createdAt and lastSeenAt the BFF does not know (null) as null', async () => {
    const older = { ...LAPTOP, createdAt: null, lastSeenAt: null };
    const { bff } = openPage(bffWith([HERE, older]));
    await expect(bff.sessions().list()).resolves.toEqual([HERE, older]);
  });

  it.each([
    ['an object instead of a list', { sessions: [] }],
    ['a missing createdAt', [{ ...HERE, createdAt: undefined }]],
    ['an entry that is not an object', [HERE, 'h-2']],
    ['an empty handle', [{ ...HERE, handle: '' }]],
    ['a handle that is a number', [{ ...HERE, handle: 7 }]],
    ['a createdAt that is no timestamp', [{ ...HERE, createdAt: 'yesterday' }]],
    ['a missing expiresAt', [{ ...HERE, expiresAt: undefined }]],
    ['a userAgent that is an object', [{ ...HERE, userAgent: {} }]],
    ['current as text', [{ ...HERE, current: 'true' }]],
  ])('refuses %s with a BffInvalidResponseError', async (_, body) => {
    const { bff } = openPage(() => jsonResponse(200, body));
    await expect(bff.sessions().list()).rejects.toBeInstanceOf(BffInvalidResponseError);
  });

  it('ends the session in this tab on a 401, and rejects', async () => {
    const { bff, events } = openPage(() => jsonResponse(401, NO_SESSION));
    await expect(bff.sessions().list()).rejects.toMatchObject({ status: 401 });
    expect(events).toEqual([['session-ended', { detectedBy: 'unauthenticated' }]]);
  });
});

describe('bff.sessions().end(handle)', () => {
  it('sends DELETE /auth/sessions/<handle>, the handle encoded, and resolves on 204', async () => {
    const { bff, requests } = openPage(bffWith([HERE, PHONE]));
    await bff.sessions().end('h/phone?x');
    expect(requests.map((r) => [r.init.method, r.url, r.headers.get('x-csrf')])).toEqual([
      ['DELETE', '/auth/sessions/h%2Fphone%3Fx', '1'],
    ]);
  });

  it('rejects an unknown or another user’s handle (404) with a BffHttpError', async () => {
    const { bff } = openPage(bffWith([HERE]));
    const error = await bff
      .sessions()
      .end('someone-else')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BffHttpError);
    expect(error).toMatchObject({ status: 404, errorCode: 'session_not_found' });
  });

  it('refuses a handle that is not a non-empty string, sending nothing', async () => {
    const { bff, requests } = openPage(bffWith([HERE]));
    await expect(bff.sessions().end('')).rejects.toBeInstanceOf(BffArgumentError);
    await expect(bff.sessions().end(7 as unknown as string)).rejects.toBeInstanceOf(BffArgumentError);
    await expect(bff.sessions().end('x'.repeat(513))).rejects.toBeInstanceOf(BffArgumentError);
    expect(requests).toEqual([]);
  });

  it('ending this browser’s own session ends it in this tab and tells the others', async () => {
    const { bff, events, tabs } = openPage(bffWith([HERE, PHONE]));
    await bff.sessions().list();
    await bff.sessions().end('h/phone?x');
    expect(events).toEqual([]);
    await bff.sessions().end('h-here');
    expect(events).toEqual([['session-ended', { detectedBy: 'sessions-api' }]]);
    expect(tabs.posted.map((p) => p.data)).toEqual([{ type: 'session-ended' }]);
  });
});

describe('bff.sessions().endOthers()', () => {
  it('ends every session but this one and counts them, not those gone meanwhile', async () => {
    const gone = { ...LAPTOP, handle: 'h-gone' };
    const { bff, requests, events } = openPage(
      bffWith([HERE, PHONE, LAPTOP, gone], (request) => {
        if (request.url.endsWith('/h-gone')) return jsonResponse(404, { error: 'session_not_found' });
        return undefined;
      }),
    );
    await expect(bff.sessions().endOthers()).resolves.toBe(2);
    const deleted = requests.filter((r) => r.init.method === 'DELETE').map((r) => r.url);
    expect(deleted.sort()).toEqual([
      '/auth/sessions/h%2Fphone%3Fx',
      '/auth/sessions/h-gone',
      '/auth/sessions/h-laptop',
    ]);
    await settle();
    expect(events).toEqual([]);
  });

  it('rejects when ending one fails for another reason than 404', async () => {
    const { bff } = openPage(
      bffWith([HERE, LAPTOP], (request) =>
        request.init.method === 'DELETE' ? jsonResponse(503, { error: 'store_unavailable' }) : undefined,
      ),
    );
    await expect(bff.sessions().endOthers()).rejects.toMatchObject({ status: 503 });
  });
});
