import { Injectable } from '@nestjs/common';
import type { CookieSerializeOptions } from '@fastify/cookie';
import { SessionConfig } from '@bff/config';
import { formatTicket, parseTicket, SessionCookies, type SessionTicket } from '@bff/session';

/** A `state` as the BFF makes them: a ticket id, 256 bits in unpadded base64url. */
const STATE = /^[A-Za-z0-9_-]{43}$/;
/** How much of the state names its cookie: 96 bits, unique among one browser's few pending logins. */
const NAME_STATE_CHARS = 16;
/** What follows the prefix in a login cookie's name. */
const LOGIN_NAME_SUFFIX = new RegExp(`^[A-Za-z0-9_-]{${String(NAME_STATE_CHARS)}}$`);
/** The start time appended to the ticket, base 36 epoch ms. */
const STARTED_AT = /^[0-9a-z]{1,11}$/;

/** One login cookie a request carries. */
export interface PendingLoginCookie {
  name: string;
  /** Undefined for a value that does not parse (it is dropped like an expired one). */
  ticket?: SessionTicket;
  startedAt: number;
}

/** A cookie to set on the answer. */
export interface LoginCookie {
  name: string;
  value: string;
  options: CookieSerializeOptions;
}

/**
 * The login cookies of parallel logins (oauth2-proxy's CSRF cookie per request): each pending
 * login has a cookie of its own, `__Host-bff-login-<first 16 characters of its state>`, holding
 * its ticket and start time, so tabs that start logins at the same moment never overwrite each
 * other's cookie. A browser holds at most `SESSION_LOGIN_MAX_PENDING` of them: starting one more
 * drops the oldest (its cookie is cleared and its transaction discarded), which bounds the Cookie
 * header. The callback reads only the cookie its `state` names, and clears it.
 */
@Injectable()
export class PendingLoginCookies {
  private readonly prefix: string;
  private readonly maxPending: number;
  private readonly ttlMs: number;

  constructor(
    private readonly cookies: SessionCookies,
    config: SessionConfig,
  ) {
    this.prefix = `${cookies.loginName}-`;
    this.maxPending = config.loginMaxPending;
    this.ttlMs = config.loginTimeoutSeconds * 1000;
  }

  /** The cookie that binds a new login, named by its state, to this browser. */
  issue(ticket: SessionTicket, startedAt: number): LoginCookie {
    return {
      name: this.nameFor(ticket.id) as string,
      value: `${formatTicket(ticket)}.${startedAt.toString(36)}`,
      options: this.cookies.loginOptions(),
    };
  }

  /**
   * The login cookies of a request that must go before one more login starts: malformed or
   * expired ones, then the oldest beyond `SESSION_LOGIN_MAX_PENDING - 1`, oldest first.
   */
  superseded(requestCookies: Record<string, string | undefined>, now: number): PendingLoginCookie[] {
    const pending = this.pendingIn(requestCookies).sort((a, b) => a.startedAt - b.startedAt);
    const stale = pending.filter((login) => login.ticket === undefined || login.startedAt + this.ttlMs <= now);
    const live = pending.filter((login) => !stale.includes(login));
    return [...stale, ...live.slice(0, Math.max(0, live.length - (this.maxPending - 1)))];
  }

  /**
   * The cookie the callback's `state` names: its name (to clear) and its ticket in the form
   * `LoginTransactions.finish` takes. A login started before per-login cookies existed (a
   * rolling deploy) still finishes with the single `__Host-bff-login` cookie of that time.
   */
  forCallback(
    state: string | undefined,
    requestCookies: Record<string, string | undefined>,
  ): { name?: string; ticketValue?: string } {
    const name = this.nameFor(state);
    const own = name === undefined ? undefined : requestCookies[name];
    if (own !== undefined) {
      const ticket = this.parse(own)?.ticket;
      return { name, ...(ticket ? { ticketValue: formatTicket(ticket) } : {}) };
    }
    const legacy = requestCookies[this.cookies.loginName];
    return legacy === undefined ? { name } : { name: this.cookies.loginName, ticketValue: legacy };
  }

  /** How to clear a login cookie (the attributes must match for a `__Host-` cookie). */
  clearOptions(): CookieSerializeOptions {
    return this.cookies.clearOptions();
  }

  /** A state's cookie name; undefined for anything that is not a state the BFF makes. */
  private nameFor(state: string | undefined): string | undefined {
    return state !== undefined && STATE.test(state) ? `${this.prefix}${state.slice(0, NAME_STATE_CHARS)}` : undefined;
  }

  private pendingIn(requestCookies: Record<string, string | undefined>): PendingLoginCookie[] {
    return (
      Object.entries(requestCookies)
        // Only names the BFF gives: a name it did not make (a hand-made header) is never echoed in a Set-Cookie.
        .filter((entry): entry is [string, string] => this.isLoginCookieName(entry[0]) && entry[1] !== undefined)
        .map(([name, value]) => ({ name, ...(this.parse(value) ?? { startedAt: Number.NEGATIVE_INFINITY }) }))
    );
  }

  private isLoginCookieName(name: string): boolean {
    return name.startsWith(this.prefix) && LOGIN_NAME_SUFFIX.test(name.slice(this.prefix.length));
  }

  private parse(value: string): { ticket: SessionTicket; startedAt: number } | undefined {
    const dot = value.lastIndexOf('.');
    const startedAt = value.slice(dot + 1);
    const ticket = dot === -1 || !STARTED_AT.test(startedAt) ? undefined : parseTicket(value.slice(0, dot));
    return ticket ? { ticket, startedAt: parseInt(startedAt, 36) } : undefined;
  }
}
