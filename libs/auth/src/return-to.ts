import { InvalidReturnToError } from './auth.errors';

/**
 * Accepts only a relative same-origin path: it starts with a single `/`, is not
 * `//` or `/\` (browsers read both as another host), carries no scheme and no
 * control characters. Returns the path, `/` when absent, or throws.
 */
export function validateReturnTo(value: unknown): string {
  if (value === undefined || value === '') return '/';
  if (typeof value !== 'string' || value.length > 2048) throw new InvalidReturnToError();
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new InvalidReturnToError();
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) throw new InvalidReturnToError();
  // Resolve against a dummy origin: anything that escapes it (e.g. `/%5C%5Cevil`) is refused too.
  const resolved = new URL(value, 'http://bff.invalid');
  if (resolved.origin !== 'http://bff.invalid') throw new InvalidReturnToError();
  return value;
}
