/** Redirect hops allowed before giving up: /auth → interaction → resume → callback is 3. */
const MAX_STEPS = 10;
/** Every request of the helper has a deadline; a hung IdP must fail the test, not stall it. */
const STEP_TIMEOUT_MS = 5_000;

/**
 * A minimal cookie jar for the IdP's origin (its cookie names do not collide across paths).
 * Pass the same jar to completeIdpLogin and completeIdpLogout to act as one browser.
 */
export class IdpCookieJar {
  private readonly cookies = new Map<string, string>();

  /** Applies a response's Set-Cookie headers (a past expiry deletes). */
  store(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (!value || attributes.some((a) => isExpiry(a.trim()))) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  /** The Cookie request header value. */
  header(): string {
    return [...this.cookies].map(([n, v]) => `${n}=${v}`).join('; ');
  }
}

/** True for an attribute that deletes the cookie (Max-Age ≤ 0 or an Expires in the past). */
function isExpiry(attribute: string): boolean {
  const [key = '', value = ''] = attribute.split('=');
  if (key.toLowerCase() === 'max-age') return Number(value) <= 0;
  if (key.toLowerCase() === 'expires') return Date.parse(value) <= Date.now();
  return false;
}

function decodeEntities(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  const raw = match?.[1] ?? match?.[2] ?? match?.[3];
  return raw === undefined ? undefined : decodeEntities(raw);
}

interface ParsedForm {
  action: string | undefined;
  fields: URLSearchParams;
}

/** Finds the first form and its named inputs (by name, never by position). */
function parseForm(html: string): ParsedForm | undefined {
  const form = /<form\b[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) return undefined;
  const fields = new URLSearchParams();
  for (const [input] of form[1]!.matchAll(/<input\b[^>]*>/gi)) {
    const name = attribute(input, 'name');
    if (name) fields.set(name, attribute(input, 'value') ?? '');
  }
  return { action: attribute(form[0], 'action'), fields };
}

/** The start of the page body (the head is all title and style), for error messages. */
function snippet(body: string): string {
  return body
    .replace(/<head\b[\s\S]*?<\/head>/i, '')
    .replace(/\s+/g, ' ')
    .slice(0, 500);
}

/**
 * Drives the dev IdP's login form like a browser without JS: follows redirects manually with a
 * cookie jar. Starts at an authorization URL (the IdP's /auth?... URL, i.e. the Location of the
 * BFF's /auth/login 302), submits username/password, and returns the final redirect URL pointing
 * back at the relying party (redirect_uri?code=...&state=...&iss=...), without fetching it.
 * A redirect to another origin than the IdP's is taken as that final redirect. When the IdP asks
 * for the second factor (a form with an `otp` input), `otp` is submitted; without one that form
 * fails the login.
 * Throws an Error naming the status and a body snippet when the login does not succeed.
 */
export async function completeIdpLogin(
  authorizationUrl: string,
  username: string,
  password: string,
  jar: IdpCookieJar = new IdpCookieJar(),
  otp?: string,
): Promise<string> {
  const idpOrigin = new URL(authorizationUrl).origin;
  let url = authorizationUrl;
  let init: RequestInit = { method: 'GET' };
  let submitted = false;
  let otpSubmitted = false;

  for (let step = 0; step < MAX_STEPS; step += 1) {
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), cookie: jar.header() },
      signal: AbortSignal.timeout(STEP_TIMEOUT_MS),
    });
    jar.store(res);

    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      await res.body?.cancel();
      const next = new URL(location, url);
      if (next.origin !== idpOrigin) return next.href;
      url = next.href;
      init = { method: 'GET' };
      continue;
    }

    const body = await res.text();
    const form = parseForm(body);
    const isLoginForm = !!form && form.fields.has('username') && form.fields.has('password');
    const isOtpForm = !!form && form.fields.has('otp');
    if (form && isOtpForm && submitted && otp !== undefined && !otpSubmitted) {
      form.fields.set('otp', otp);
      otpSubmitted = true;
    } else if (!form || !isLoginForm || submitted) {
      const why = submitted && (isLoginForm || isOtpForm) ? 'login rejected' : 'unexpected response';
      throw new Error(`IdP login failed (${why}): HTTP ${String(res.status)} at ${url}: ${snippet(body)}`);
    } else {
      form.fields.set('username', username);
      form.fields.set('password', password);
      submitted = true;
    }
    url = new URL(form.action ?? '', url).href;
    init = {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.fields.toString(),
    };
  }
  throw new Error(`IdP login failed: more than ${String(MAX_STEPS)} steps starting at ${authorizationUrl}`);
}

/**
 * Follows an RP-initiated logout like a browser: GET the end-session URL (the one the BFF's
 * /auth/logout redirects to), submit the confirmation form with `logout=yes` (what the page's
 * auto-submit does), and return the final redirect URL (post_logout_redirect_uri?state=... or the
 * IdP's "signed out" page) without fetching it. With the jar used for the login, the IdP session
 * ends and back-channel logout tokens are delivered before this resolves.
 */
export async function completeIdpLogout(
  endSessionUrl: string,
  jar: IdpCookieJar = new IdpCookieJar(),
): Promise<string> {
  const cookieHeader = (): Record<string, string> => ({ cookie: jar.header() });
  const page = await fetch(endSessionUrl, {
    redirect: 'manual',
    headers: cookieHeader(),
    signal: AbortSignal.timeout(STEP_TIMEOUT_MS),
  });
  jar.store(page);
  const body = await page.text();
  const form = parseForm(body);
  if (page.status !== 200 || !form?.fields.has('xsrf')) {
    throw new Error(`IdP logout failed: HTTP ${String(page.status)} at ${endSessionUrl}: ${snippet(body)}`);
  }
  form.fields.set('logout', 'yes');
  const confirmUrl = new URL(form.action ?? '', endSessionUrl).href;
  const res = await fetch(confirmUrl, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
    body: form.fields.toString(),
    signal: AbortSignal.timeout(STEP_TIMEOUT_MS),
  });
  jar.store(res);
  const location = res.headers.get('location');
  if (res.status < 300 || res.status >= 400 || !location) {
    throw new Error(`IdP logout confirm failed: HTTP ${String(res.status)}: ${snippet(await res.text())}`);
  }
  await res.body?.cancel();
  return new URL(location, confirmUrl).href;
}
