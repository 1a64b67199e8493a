import { ServerConfig, SessionConfig } from '@bff/config';
import { createTicket, formatTicket, SessionCookies } from '@bff/session';
import { PendingLoginCookies } from './pending-login-cookies';

const NOW = 1_800_000_000_000;

function loginCookies(maxPending = 8, devInsecureCookies = false) {
  const config = Object.assign(new SessionConfig(), { loginMaxPending: maxPending, loginTimeoutSeconds: 600 });
  const server = Object.assign(new ServerConfig(), { devInsecureCookies });
  return new PendingLoginCookies(new SessionCookies(config, server), config);
}

/** The Cookie header of a browser holding these login cookies, as a parsed record. */
const jar = (...cookies: { name: string; value: string }[]) =>
  Object.fromEntries(cookies.map(({ name, value }) => [name, value]));

describe('PendingLoginCookies', () => {
  it('gives each login a cookie of its own, named by its state, holding its ticket and start time', () => {
    const ticket = createTicket();
    const cookie = loginCookies().issue(ticket, NOW);
    expect(cookie.name).toBe(`__Host-bff-login-${ticket.id.slice(0, 16)}`);
    expect(cookie.value).toBe(`${formatTicket(ticket)}.${NOW.toString(36)}`);
    expect(cookie.value.length).toBeLessThan(110);
    expect(cookie.options).toMatchObject({ sameSite: 'lax', maxAge: 600, httpOnly: true, secure: true, path: '/' });
    expect(loginCookies(8, true).issue(ticket, NOW).name).toBe(`bff-login-${ticket.id.slice(0, 16)}`);
  });

  it('finds the cookie a callback state names among the pending ones, and only that one', () => {
    const cookies = loginCookies();
    const [a, b] = [createTicket(), createTicket()];
    const request = jar(cookies.issue(a, NOW), cookies.issue(b, NOW + 1));
    expect(cookies.forCallback(b.id, request)).toEqual({
      name: expect.stringContaining(b.id.slice(0, 16)),
      ticketValue: formatTicket(b),
    });
    expect(cookies.forCallback(a.id, request).ticketValue).toBe(formatTicket(a));
    // Another state (no cookie of this browser), a malformed one, none at all.
    expect(cookies.forCallback(createTicket().id, request)).toEqual({ name: expect.any(String) });
    for (const state of [undefined, '', 'short', `${a.id}x`, `${a.id.slice(0, 42)}%`, `../${a.id.slice(3)}`])
      expect(cookies.forCallback(state, request)).toEqual({});
  });

  it('refuses a tampered cookie value but still names the cookie, so the callback clears it', () => {
    const cookies = loginCookies();
    const ticket = createTicket();
    const issued = cookies.issue(ticket, NOW);
    for (const value of [
      formatTicket(ticket),
      `${issued.value}.x`,
      `${issued.value}Z`,
      issued.value.replace('v1.', 'v2.'),
    ])
      expect(cookies.forCallback(ticket.id, { [issued.name]: value })).toEqual({ name: issued.name });
  });

  it('finishes a login begun before per-login cookies with the single cookie of that time', () => {
    const cookies = loginCookies();
    const ticket = createTicket();
    expect(cookies.forCallback(ticket.id, { '__Host-bff-login': formatTicket(ticket) })).toEqual({
      name: '__Host-bff-login',
      ticketValue: formatTicket(ticket),
    });
  });

  it('keeps up to SESSION_LOGIN_MAX_PENDING logins, dropping the oldest first to make room for a new one', () => {
    const cookies = loginCookies(8);
    const issued = Array.from({ length: 10 }, (_, i) => cookies.issue(createTicket(), NOW + i * 1000));
    // Shuffled: browsers do not promise an order in the Cookie header.
    const request = jar(...[...issued].reverse());
    expect(cookies.superseded(jar(...issued.slice(0, 7)), NOW + 10_000)).toEqual([]);
    expect(cookies.superseded(jar(...issued.slice(0, 8)), NOW + 10_000).map((c) => c.name)).toEqual([issued[0]!.name]);
    expect(cookies.superseded(request, NOW + 10_000).map((c) => c.name)).toEqual(issued.slice(0, 3).map((c) => c.name));
  });

  it('drops expired and malformed login cookies first, and ignores every other cookie', () => {
    const cookies = loginCookies(2);
    const expired = cookies.issue(createTicket(), NOW - 600_000);
    const live = cookies.issue(createTicket(), NOW - 1000);
    const request = {
      ...jar(expired, live),
      '__Host-bff-login-garbage-garbage1': 'not-a-ticket',
      '__Host-bff-login-a b;c': 'a name no browser holds',
      '__Host-bff-login-tooshort': 'x',
      '__Host-bff-login': formatTicket(createTicket()),
      '__Host-bff': 'session',
      unrelated: 'x',
    };
    expect(cookies.superseded(request, NOW).map((c) => c.name)).toEqual([
      '__Host-bff-login-garbage-garbage1',
      expired.name,
    ]);
    expect(cookies.superseded({ ...request, ...jar(cookies.issue(createTicket(), NOW - 500)) }, NOW)).toHaveLength(3);
  });
});
