import type { IncomingHttpHeaders } from 'node:http';
import { CsrfHeaderMissingError } from '@bff/errors';
import { CrossSiteRequestError } from './auth.errors';
import { allowedOriginsOf, assertBrowserRequest } from './csrf';

const OWN = 'https://app.example.com';
const PARTNER = 'https://partner.example.net:8443';
const ALLOWED: ReadonlySet<string> = new Set([OWN, PARTNER]);

/** Runs the check and names the outcome (`pass` or the error code), so one table covers passes and refusals. */
function outcome(headers: IncomingHttpHeaders): string {
  try {
    assertBrowserRequest(headers, ALLOWED);
    return 'pass';
  } catch (error) {
    if (error instanceof CrossSiteRequestError || error instanceof CsrfHeaderMissingError) return error.code;
    throw error;
  }
}

/** Every letter case a header value might arrive in. */
const cases = (value: string): string[] => [
  value,
  value.toUpperCase(),
  value.replace(/(^|-)(.)/g, (_m, dash: string, c: string) => dash + c.toUpperCase()),
];

describe('assertBrowserRequest', () => {
  it('refuses a request without X-CSRF: 1 before looking at anything else', () => {
    expect(outcome({})).toBe('csrf_header_missing');
    expect(outcome({ 'x-csrf': '0', 'sec-fetch-site': 'same-origin', origin: OWN })).toBe('csrf_header_missing');
    expect(outcome({ 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' })).toBe('csrf_header_missing');
  });

  it('lets a non-browser client through on X-CSRF alone (no Sec-Fetch-Site, no Origin)', () => {
    expect(outcome({ 'x-csrf': '1' })).toBe('pass');
  });

  it.each([...cases('same-origin'), ...cases('none')])('accepts Sec-Fetch-Site: %s', (site) => {
    expect(outcome({ 'x-csrf': '1', 'sec-fetch-site': site })).toBe('pass');
  });

  it.each([
    ...cases('cross-site'),
    ...cases('same-site'),
    '',
    'same-origin, same-origin',
    'same-origin, cross-site',
    'none, none',
    ' same-origin',
    'same_origin',
    'sameorigin',
    'unknown',
  ])('refuses Sec-Fetch-Site: %p', (site) => {
    expect(outcome({ 'x-csrf': '1', 'sec-fetch-site': site })).toBe('cross_site_request');
  });

  it('refuses Sec-Fetch-Site arriving as a list', () => {
    expect(outcome({ 'x-csrf': '1', 'sec-fetch-site': ['same-origin'] } as unknown as IncomingHttpHeaders)).toBe(
      'cross_site_request',
    );
  });

  it.each([OWN, PARTNER])('accepts the allowed Origin %s', (origin) => {
    expect(outcome({ 'x-csrf': '1', origin })).toBe('pass');
    expect(outcome({ 'x-csrf': '1', origin, 'sec-fetch-site': 'same-origin' })).toBe('pass');
  });

  it.each([
    ['a foreign origin', 'https://evil.example'],
    ['null', 'null'],
    ['NULL', 'NULL'],
    ['a trailing slash', `${OWN}/`],
    ['a path', `${OWN}/app`],
    ['another port', 'https://app.example.com:8443'],
    ['the default port spelt out', 'https://app.example.com:443'],
    ['http instead of https', 'http://app.example.com'],
    ['another letter case', 'https://APP.example.com'],
    ['a sibling subdomain', 'https://evil.example.com'],
    ['a suffix look-alike', 'https://app.example.com.evil.example'],
    ['the allowed origin twice, joined', `${OWN}, ${OWN}`],
    ['an allowed and a foreign one, joined', `${OWN}, https://evil.example`],
    ['an empty value', ''],
  ])('refuses an Origin with %s', (_label, origin) => {
    expect(outcome({ 'x-csrf': '1', origin })).toBe('cross_site_request');
    expect(outcome({ 'x-csrf': '1', origin, 'sec-fetch-site': 'same-origin' })).toBe('cross_site_request');
  });

  it('refuses a foreign Origin even with Sec-Fetch-Site: none, and a cross-site fetch even from an allowed Origin', () => {
    expect(outcome({ 'x-csrf': '1', origin: 'https://evil.example', 'sec-fetch-site': 'none' })).toBe(
      'cross_site_request',
    );
    expect(outcome({ 'x-csrf': '1', origin: PARTNER, 'sec-fetch-site': 'cross-site' })).toBe('cross_site_request');
  });

  it('refuses null even when it is configured as an allowed origin', () => {
    expect(() => {
      assertBrowserRequest({ 'x-csrf': '1', origin: 'null' }, new Set(['null']));
    }).toThrow(CrossSiteRequestError);
  });

  it('answers 403 cross_site_request, shown to the client', () => {
    const error = new CrossSiteRequestError('a reason for the log');
    expect(error).toMatchObject({ code: 'cross_site_request', status: 403, expose: true });
    expect(error.message).not.toContain('a reason for the log');
  });
});

describe('allowedOriginsOf', () => {
  it('is the origin of the public URL (base path dropped) plus the configured origins', () => {
    expect(allowedOriginsOf({ publicUrl: 'https://app.example.com/bff', allowedOrigins: [PARTNER] })).toEqual(
      new Set([OWN, PARTNER]),
    );
  });

  it('holds the public origin once when it is also configured', () => {
    expect([
      ...allowedOriginsOf({ publicUrl: 'http://localhost:3000', allowedOrigins: ['http://localhost:3000'] }),
    ]).toEqual(['http://localhost:3000']);
  });
});
