import { validateReturnTo } from './bff-paths.js';
import { BffArgumentError } from './errors.js';

/** What `bff.login(options)` asks the BFF's `/auth/login` for; each maps to one query parameter. */
export interface BffLoginOptions {
  /** A path on this site to come back to (default: the current page; `''` is `/`). */
  returnTo?: string;
  /** `acr_values`: the authentication context classes wanted, space-separated (e.g. a second factor). */
  acrValues?: string;
  /** `prompt`: `none`, or a space-separated set of `login`, `consent`, `select_account`. */
  prompt?: string;
  /** `login_hint`: the account to suggest at the IdP (an e-mail address, a user name). */
  loginHint?: string;
  /** `ui_locales`: language tags of the login page, space-separated, preferred first (`de-CH fr`). */
  uiLocales?: string;
  /** `max_age`: seconds since the user last actively authenticated; `0` asks for a new login. */
  maxAge?: number;
}

/** The longest value of `acr_values`, `prompt`, `login_hint` and `ui_locales` the BFF accepts. */
const MAX_PARAMETER_LENGTH = 255;
const PRINTABLE = /^[\x20-\x7e]+$/;
/** One `acr_values` entry: printable ASCII without space (URNs and URLs are common). */
const ACR_VALUE = /^[\x21-\x7e]+$/;
/** One `ui_locales` entry: a BCP 47 language tag, as the OIDC Core `ui_locales` parameter takes. */
const LANGUAGE_TAG = /^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$/;
/** The `prompt` values of OIDC Core 1.0 section 3.1.2.1. */
const PROMPTS: ReadonlySet<string> = new Set(['none', 'login', 'consent', 'select_account']);
const MAX_AGE = /^(?:0|[1-9][0-9]{0,15})$/;

type TextOption = Exclude<keyof BffLoginOptions, 'returnTo' | 'maxAge'>;

/** Each option's query parameter, in the order the URL carries them. */
const PARAMETERS: readonly (readonly [keyof BffLoginOptions, string])[] = [
  ['returnTo', 'returnTo'],
  ['prompt', 'prompt'],
  ['loginHint', 'login_hint'],
  ['uiLocales', 'ui_locales'],
  ['acrValues', 'acr_values'],
  ['maxAge', 'max_age'],
];

/** Why a text option is refused, or undefined when it is fine. */
function textProblem(option: TextOption, value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_PARAMETER_LENGTH) {
    return `${option} must be a string of 1 to ${String(MAX_PARAMETER_LENGTH)} characters`;
  }
  if (!PRINTABLE.test(value)) return `${option} must be printable ASCII`;
  if (option === 'loginHint') return undefined;
  const entries = value.split(' ');
  const pattern = option === 'acrValues' ? ACR_VALUE : option === 'uiLocales' ? LANGUAGE_TAG : undefined;
  if (pattern && !entries.every((entry) => pattern.test(entry))) {
    return `${option} must be ${option === 'acrValues' ? 'values' : 'language tags'} separated by single spaces`;
  }
  if (option === 'prompt') {
    const known = entries.every((entry) => PROMPTS.has(entry)) && new Set(entries).size === entries.length;
    // OIDC Core 3.1.2.1: `none` with any other value is an error at the IdP.
    if (!known || (entries.includes('none') && entries.length > 1)) {
      return 'prompt must be none, or distinct values of login, consent and select_account separated by spaces';
    }
  }
  return undefined;
}

/** Every problem of `options`, as the BFF would report them (an empty list when all is well). */
function problemsOf(options: BffLoginOptions): string[] {
  const problems: string[] = [];
  for (const [option, value] of Object.entries(options) as [string, unknown][]) {
    if (value === undefined) continue;
    if (!PARAMETERS.some(([known]) => known === option)) problems.push(`${option} is not a login option`);
    else if (option === 'maxAge') {
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
        problems.push('maxAge must be a non-negative integer number of seconds');
      }
    } else if (option !== 'returnTo') {
      const problem = textProblem(option as TextOption, value);
      if (problem) problems.push(problem);
    }
  }
  return problems;
}

/**
 * `/auth/login?…` under `baseUrl` for `options`, checked by the BFF's rules first: `returnTo` as
 * `validateReturnTo`; `prompt` from the OIDC set (`none` alone); `acrValues`, `uiLocales` and
 * `loginHint` printable ASCII of at most 255 characters; `maxAge` a non-negative integer. Throws
 * {@link BffArgumentError} naming every problem, so nothing is navigated to that the BFF would refuse.
 */
export function buildLoginUrl(baseUrl: string, options: BffLoginOptions, currentPage: string): string {
  const problems = problemsOf(options);
  if (problems.length > 0) throw new BffArgumentError(`invalid login options: ${problems.join('; ')}`);
  const values: BffLoginOptions = { ...options, returnTo: validateReturnTo(options.returnTo ?? currentPage) };
  const query = PARAMETERS.filter(([option]) => values[option] !== undefined)
    .map(([option, parameter]) => `${parameter}=${encodeURIComponent(String(values[option]))}`)
    .join('&');
  return `${baseUrl}/auth/login?${query}`;
}

/** What a 401 `step_up_required` asks for, and where its `login()` goes. */
export interface StepUp {
  /** The login the BFF asked for, under `baseUrl`: what `event.login()` navigates to. */
  loginUrl: string;
  /** The `acr_values` it asks for, when it names valid ones. */
  acrValues: string | undefined;
}

/**
 * The login a `step_up_required` body asks for. Its `loginUrl` comes from a response body, so it
 * is never navigated to as it is: it must be `/auth/login?` with only login parameters that pass
 * {@link buildLoginUrl}, which then rebuilds it under `baseUrl`. Anything else (another origin or
 * path, an unknown or bad parameter) is refused, and the login is built here from the current
 * page and the `acr_values` it named, when those are valid.
 */
export function stepUpOf(body: unknown, baseUrl: string, currentPage: string): StepUp {
  const { loginUrl } = (typeof body === 'object' && body !== null ? body : {}) as { loginUrl?: unknown };
  const given = typeof loginUrl === 'string' ? loginUrl : '';
  const query = new URLSearchParams(given.slice(given.indexOf('?') + 1).split('#')[0]);
  const acrValues = query.get('acr_values') ?? undefined;
  const validAcr = acrValues !== undefined && textProblem('acrValues', acrValues) === undefined ? acrValues : undefined;
  if (given.startsWith('/auth/login?') && !given.includes('#')) {
    const options: Record<string, string | number> = {};
    let wellFormed = true;
    for (const [parameter, value] of query) {
      const option = PARAMETERS.find(([, name]) => name === parameter)?.[0];
      if (!option || option in options || (option === 'maxAge' && !MAX_AGE.test(value))) wellFormed = false;
      else options[option] = option === 'maxAge' ? Number(value) : value;
    }
    try {
      if (wellFormed) return { loginUrl: buildLoginUrl(baseUrl, options, currentPage), acrValues: validAcr };
    } catch {
      // refused below, like any other loginUrl that is not the BFF's
    }
  }
  return { loginUrl: buildLoginUrl(baseUrl, { acrValues: validAcr }, currentPage), acrValues: validAcr };
}
