import { MAX_LOGIN_PARAMETER_LENGTH, type LoginParameter } from '@bff/config';
import { InvalidLoginParameterError } from './auth.errors';

/** The login parameters of one `/auth/login` request, as the authorization request carries them. */
export type ForwardedLoginParameters = Partial<Record<LoginParameter, string>>;

/** What `/auth/login?…` asks for: where to come back, and the OIDC parameters to forward. */
export interface LoginQuery {
  /** The raw `returnTo` (checked by validateReturnTo), undefined when absent. */
  returnTo: string | undefined;
  parameters: ForwardedLoginParameters;
  /** `max_age` as a number, when given: the callback checks the ID token's `auth_time` against it. */
  maxAge: number | undefined;
}

// The rules of the browser client (libs/client/src/login-parameters.ts), kept identical there.
const PRINTABLE = /^[\x20-\x7e]+$/;
/** One `acr_values` entry: printable ASCII without space (URNs and URLs are common). */
const ACR_VALUE = /^[\x21-\x7e]+$/;
/** One `ui_locales` entry: a BCP 47 language tag, as OIDC Core's `ui_locales` takes. */
const LANGUAGE_TAG = /^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$/;
/** The `prompt` values of OIDC Core 1.0 §3.1.2.1. */
const PROMPTS: ReadonlySet<string> = new Set(['none', 'login', 'consent', 'select_account']);
/** A non-negative integer in decimal, no sign or leading zero; also a safe integer (checked apart). */
const MAX_AGE = /^(?:0|[1-9][0-9]{0,15})$/;
/** A percent-encoded query component: every `%` starts a two-digit hex escape. */
const ENCODED = /^(?:[^%]|%[0-9A-Fa-f]{2})*$/;
/** A parameter name safe to repeat in an error message; others are called "a parameter". */
const NAMEABLE = /^[A-Za-z0-9_.-]{1,64}$/;

/** Why a forwarded parameter's value is refused, or undefined when it is fine. */
export function loginParameterProblem(name: LoginParameter, value: string): string | undefined {
  if (name === 'max_age') {
    return MAX_AGE.test(value) && Number.isSafeInteger(Number(value))
      ? undefined
      : 'must be a non-negative integer number of seconds';
  }
  if (value.length === 0 || value.length > MAX_LOGIN_PARAMETER_LENGTH) {
    return `must be 1 to ${String(MAX_LOGIN_PARAMETER_LENGTH)} characters`;
  }
  if (!PRINTABLE.test(value)) return 'must be printable ASCII';
  if (name === 'login_hint') return undefined;
  const entries = value.split(' ');
  if (name === 'acr_values' && !entries.every((entry) => ACR_VALUE.test(entry))) {
    return 'must be values separated by single spaces';
  }
  if (name === 'ui_locales' && !entries.every((entry) => LANGUAGE_TAG.test(entry))) {
    return 'must be language tags separated by single spaces';
  }
  if (name === 'prompt') {
    const known = entries.every((entry) => PROMPTS.has(entry)) && new Set(entries).size === entries.length;
    // OIDC Core §3.1.2.1: `none` with any other value is an error at the provider.
    if (!known || (entries.includes('none') && entries.length > 1)) {
      return 'must be none, or distinct values of login, consent and select_account separated by spaces';
    }
  }
  return undefined;
}

/** Decodes one `application/x-www-form-urlencoded` component strictly; undefined when malformed. */
function decodeComponent(raw: string): string | undefined {
  if (!ENCODED.test(raw)) return undefined;
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    // Escapes that are not UTF-8.
    return undefined;
  }
}

/**
 * Reads `/auth/login`'s raw query: `returnTo` and the parameters of `allowed` (OIDC_LOGIN_PARAMETERS),
 * each at most once and valid by {@link loginParameterProblem}. Anything else (another or an
 * unlisted parameter, one given twice, a malformed escape, a bad value) throws
 * {@link InvalidLoginParameterError} naming the parameter, never its value.
 */
export function readLoginQuery(rawQuery: string, allowed: readonly LoginParameter[]): LoginQuery {
  const seen = new Map<string, string>();
  for (const piece of rawQuery.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    const name = decodeComponent(eq === -1 ? piece : piece.slice(0, eq));
    const label = name !== undefined && NAMEABLE.test(name) ? name : undefined;
    if (name === undefined || label === undefined)
      throw new InvalidLoginParameterError(label, 'is not a login parameter');
    if (name !== 'returnTo' && !(allowed as readonly string[]).includes(name)) {
      throw new InvalidLoginParameterError(name, 'is not a login parameter this BFF forwards');
    }
    if (seen.has(name)) throw new InvalidLoginParameterError(name, 'is given more than once');
    const value = decodeComponent(eq === -1 ? '' : piece.slice(eq + 1));
    if (value === undefined) throw new InvalidLoginParameterError(name, 'is not correctly percent-encoded');
    seen.set(name, value);
  }
  const parameters: ForwardedLoginParameters = {};
  for (const name of allowed) {
    const value = seen.get(name);
    if (value === undefined) continue;
    const problem = loginParameterProblem(name, value);
    if (problem) throw new InvalidLoginParameterError(name, problem);
    parameters[name] = value;
  }
  return {
    returnTo: seen.get('returnTo'),
    parameters,
    maxAge: parameters.max_age === undefined ? undefined : Number(parameters.max_age),
  };
}
