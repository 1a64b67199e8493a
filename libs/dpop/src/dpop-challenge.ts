/** A `DPoP` challenge of a `WWW-Authenticate` header (RFC 9449 §7.1). */
export interface DpopChallenge {
  /** e.g. `use_dpop_nonce`, `invalid_token`, `invalid_dpop_proof`; absent when the challenge has none. */
  error?: string;
  /** The challenge's `error_description`, for logs. */
  errorDescription?: string;
  /** The proof algorithms the server accepts (`algs`, space-separated in the header). */
  algs?: string[];
}

/** Header values longer than this are not parsed at all: no real challenge comes close. */
export const MAX_CHALLENGE_HEADER_LENGTH = 8192;
const MAX_HEADERS = 16;
const MAX_VALUE_LENGTH = 1024;

// RFC 9110 §5.6.2 tchar.
const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
// RFC 9110 §11.2 token68, after its trailing "=" are removed.
const TOKEN68_CHAR = /[A-Za-z0-9\-._~+/]/;

/**
 * Finds the first `DPoP` challenge in `WWW-Authenticate` (the scheme is case-insensitive; one
 * header may hold several challenges, and there may be several headers) and returns its
 * `error`, `error_description` and `algs`; `undefined` when there is none. A linear scan
 * without backtracking regular expressions, so hostile input costs its length and no more;
 * values over {@link MAX_CHALLENGE_HEADER_LENGTH} characters are skipped.
 */
export function parseDpopChallenge(wwwAuthenticate: string | readonly string[] | undefined): DpopChallenge | undefined {
  if (wwwAuthenticate === undefined) return undefined;
  const values = typeof wwwAuthenticate === 'string' ? [wwwAuthenticate] : wwwAuthenticate.slice(0, MAX_HEADERS);
  for (const value of values) {
    if (typeof value !== 'string' || value.length > MAX_CHALLENGE_HEADER_LENGTH) continue;
    const params = new ChallengeScanner(value).dpopParams();
    if (params) return toChallenge(params);
  }
  return undefined;
}

function toChallenge(params: Map<string, string>): DpopChallenge {
  const challenge: DpopChallenge = {};
  const error = params.get('error');
  if (error !== undefined && error !== '') challenge.error = error;
  const description = params.get('error_description');
  if (description !== undefined) challenge.errorDescription = description;
  const algs = params.get('algs');
  if (algs !== undefined) challenge.algs = algs.split(/[ \t]+/).filter((alg) => alg !== '');
  return challenge;
}

/** A cursor over one header value (RFC 9110 §11.6.1 challenge syntax); every step advances it. */
class ChallengeScanner {
  private i = 0;

  constructor(private readonly s: string) {}

  /** The parameters of the first challenge whose scheme is DPoP, if any. */
  dpopParams(): Map<string, string> | undefined {
    let current: Map<string, string> | undefined;
    let found: Map<string, string> | undefined;
    const { s } = this;
    while (this.i < s.length) {
      this.skip(/[ \t,]/);
      if (this.i >= s.length) break;
      const name = this.take(TCHAR);
      if (name === '') {
        this.skipPast(','); // not a challenge or parameter: drop up to the next list element
        continue;
      }
      const afterName = this.i;
      this.skip(/[ \t]/);
      if (s[this.i] !== '=') {
        // A new challenge: `name` is its scheme. A DPoP challenge is complete when the next begins.
        if (found) return found;
        this.i = afterName;
        current = new Map();
        if (name.toLowerCase() === 'dpop') found = current;
        this.skipToken68();
        continue;
      }
      this.i++;
      this.skip(/[ \t]/);
      if (this.i >= s.length || s[this.i] === ',' || s[this.i] === '=') {
        this.skip(/=/); // the padding of a token68 credential, not a parameter
        continue;
      }
      const value = s[this.i] === '"' ? this.quotedString() : this.take(TCHAR);
      const key = name.toLowerCase();
      if (current && value !== undefined && value.length <= MAX_VALUE_LENGTH && !current.has(key)) {
        current.set(key, value);
      }
    }
    return found;
  }

  /** After a scheme and one space: a token68 credential (`Basic dXNlcg==`), skipped whole. */
  private skipToken68(): void {
    const start = this.i;
    if (this.s[this.i] !== ' ') return;
    this.skip(/ /);
    this.take(TOKEN68_CHAR);
    this.skip(/=/);
    const end = this.i;
    this.skip(/[ \t]/);
    if (end > start && (this.i >= this.s.length || this.s[this.i] === ',')) return;
    this.i = start; // parameters follow, not a token68
  }

  /** A quoted-string (RFC 9110 §5.6.4) with its backslash escapes undone; undefined when unterminated. */
  private quotedString(): string | undefined {
    const { s } = this;
    let value = '';
    this.i++;
    while (this.i < s.length) {
      const c = s.charAt(this.i++);
      if (c === '"') return value;
      value += c === '\\' ? s.charAt(this.i++) : c;
    }
    return undefined;
  }

  private take(chars: RegExp): string {
    const start = this.i;
    while (this.i < this.s.length && chars.test(this.s[this.i] ?? '')) this.i++;
    return this.s.slice(start, this.i);
  }

  private skip(chars: RegExp): void {
    while (this.i < this.s.length && chars.test(this.s[this.i] ?? '')) this.i++;
  }

  private skipPast(char: string): void {
    const next = this.s.indexOf(char, this.i);
    this.i = next === -1 ? this.s.length : next + 1;
  }
}
