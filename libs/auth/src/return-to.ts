import { validateHeaderValue } from 'node:http';
import { InvalidReturnToError } from './auth.errors';

/** Longer than any path an SPA needs, short enough to keep login transactions small. */
const MAX_LENGTH = 2048;

/**
 * Printable ASCII without the backslash. SPAs pass `location.pathname + location.search`,
 * which browsers have already percent-encoded, so nothing legitimate is lost; and what
 * passes can go back out in a `Location` header unchanged (Node refuses anything else
 * there, after the session would already exist).
 */
const PLAIN_PATH = /^[\x21-\x5b\x5d-\x7e]+$/;

/**
 * A leading slash followed by `/`, `%2F` or `%5C` (any case). `//host` is a network-path
 * reference to another site. Percent-encoded, `/%2Fhost` and `/%5Chost` (so also
 * `/%2F%2Fhost` and `/%5C%5Chost`) resolve to this origin, but a static server or SPA router
 * that decodes the path once sees `//host` or `/\host`, which browsers read as `//host`.
 * Only the position right after the leading slash matters: later in the path (`/a%2Fb`,
 * `/a%5Cb`) a decoded slash is still a path on this site; and a second encoding (`/%252F`)
 * is accepted, since decoded once it is `/%2F`, still a path on this site.
 */
const NETWORK_PATH = /^\/(?:\/|%2f|%5c)/i;

/**
 * Accepts only a relative same-origin path that can be sent back as a `Location` header
 * byte for byte: at most 2048 characters of printable ASCII without a backslash,
 * starting with `/` but not with `//`, `/%2F` or `/%5C` (any case), and resolving to this
 * origin. Returns the path, `/` when absent or empty, or throws {@link InvalidReturnToError}.
 * The login service checks it twice: at `/auth/login`, and again on the stored
 * transaction at the callback before any session exists. The browser client
 * (`libs/client/src/bff-paths.ts`) applies the same rule before it navigates.
 */
export function validateReturnTo(value: unknown): string {
  if (value === undefined || value === '') return '/';
  if (typeof value !== 'string' || value.length > MAX_LENGTH) throw new InvalidReturnToError();
  if (!PLAIN_PATH.test(value) || !value.startsWith('/') || NETWORK_PATH.test(value)) throw new InvalidReturnToError();
  // Resolve against a dummy origin: anything that escapes it is refused too.
  if (new URL(value, 'http://bff.invalid').origin !== 'http://bff.invalid') throw new InvalidReturnToError();
  // Belt and braces: the exact check Node applies when the redirect is written.
  try {
    validateHeaderValue('location', value);
  } catch {
    throw new InvalidReturnToError();
  }
  return value;
}
