import { completeIdpLogin, IdpCookieJar } from './idp-login';

/**
 * A browser without JavaScript: one cookie jar for every origin on localhost
 * (browsers do not isolate cookies by port), redirects not followed so tests
 * can look at each hop.
 */
export class BrowserClient {
  readonly jar = new IdpCookieJar();

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const cookie = this.jar.header();
    if (cookie && !headers.has('cookie')) headers.set('cookie', cookie);
    const timeout = AbortSignal.timeout(10_000);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    const response = await fetch(url, { ...init, headers, redirect: 'manual', signal });
    this.jar.store(response);
    return response;
  }

  /** GET with the anti-forgery header an SPA sends. */
  api(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('x-csrf', '1');
    return this.fetch(url, { ...init, headers });
  }

  /** Walks the whole login: BFF /auth/login → IdP form → BFF /auth/callback. Returns the callback's response. */
  async login(bffUrl: string, username = 'alice', password = username, returnTo = '/'): Promise<Response> {
    const start = await this.fetch(`${bffUrl}/auth/login?returnTo=${encodeURIComponent(returnTo)}`);
    const location = start.headers.get('location');
    if (start.status !== 302 || !location)
      throw new Error(`login did not start: ${String(start.status)} ${await start.text()}`);
    const callbackUrl = await completeIdpLogin(location, username, password, this.jar);
    return this.fetch(callbackUrl);
  }

  /** The Cookie header this browser sends, for requests made without {@link fetch}. */
  cookieHeader(): string {
    return this.jar.header();
  }

  /** The value of one cookie in the jar. */
  cookie(name: string): string | undefined {
    for (const part of this.jar.header().split('; ')) {
      const eq = part.indexOf('=');
      if (part.slice(0, eq) === name) return part.slice(eq + 1);
    }
    return undefined;
  }
}
