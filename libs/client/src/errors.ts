/**
 * Every failure the client reports is a `BffClientError` with a stable `code`,
 * as the BFF's own errors are (`{ error, message }`). A caller's own abort is
 * not wrapped: it rejects with the signal's reason, as `fetch` does.
 */
export class BffClientError extends Error {
  constructor(
    readonly code: 'http' | 'timeout' | 'network' | 'invalid_response' | 'invalid_argument',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The BFF (or an upstream behind `/api`) answered with a status outside 200-299. */
export class BffHttpError extends BffClientError {
  /** The BFF's stable error code (`error` of its JSON body), when the body is one. */
  readonly errorCode: string | undefined;

  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    /** The response body: parsed JSON when it is JSON, else its text ('' when empty). */
    readonly body: unknown,
  ) {
    const errorCode = bffErrorCode(body);
    super('http', `${method} ${url} answered ${String(status)}${errorCode === undefined ? '' : ` (${errorCode})`}`);
    this.errorCode = errorCode;
  }
}

/** No response within the client's `timeoutMs`. */
export class BffTimeoutError extends BffClientError {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly timeoutMs: number,
  ) {
    super('timeout', `${method} ${url} did not answer within ${String(timeoutMs)} ms`);
  }
}

/** The request never got an HTTP answer (offline, DNS, connection refused or reset). */
export class BffNetworkError extends BffClientError {
  constructor(
    readonly method: string,
    readonly url: string,
    cause: unknown,
  ) {
    super('network', `${method} ${url} failed: the BFF could not be reached`, { cause });
  }
}

/** A 2xx answer whose body is not what the BFF's contract promises (e.g. `/auth/user` without `sub`). */
export class BffInvalidResponseError extends BffClientError {
  constructor(
    readonly url: string,
    detail: string,
  ) {
    super('invalid_response', `${url} answered with an unexpected body: ${detail}`);
  }
}

/** The caller passed a value the client refuses before sending anything (a bad route, path or returnTo). */
export class BffArgumentError extends BffClientError {
  constructor(message: string) {
    super('invalid_argument', message);
  }
}

function bffErrorCode(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { error } = body as { error?: unknown };
  return typeof error === 'string' ? error : undefined;
}
