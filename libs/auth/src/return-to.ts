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
 * A network-path reference (`//host`), written directly or percent-encoded once after
 * the leading slash. `/%2F%2Fhost` resolves to this origin, but a static server or SPA
 * router that decodes the path once would see `//host`, so it is refused too.
 */
const NETWORK_PATH = /^\/(?:\/|%2f|%5c)/i;

/**
 * Accepts only a relative same-origin path that can be sent back as a `Location`
 * header byte for byte: it starts with a single `/`, is not `//` (nor `/%2F`,
 * `/%5C`), holds only printable ASCII and no backslash, and resolves to this
 * origin. Returns the path, `/` when absent, or throws {@link InvalidReturnToError}.
 * The login service checks it twice: at `/auth/login`, and again on the stored
 * transaction at the callback before any session exists.
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
