import { BadGatewayError, BadRequestError, BffError, NotFoundError } from '@bff/errors';

/** `/api/<name>` names no configured route: the BFF is never an open proxy. */
export class UnknownRouteError extends NotFoundError {
  constructor() {
    super('unknown_route', 'No API route of that name is configured.');
  }
}

/** The route does not allow this method; `allowed` becomes the response's `Allow` header. */
export class MethodNotAllowedError extends BffError {
  constructor(readonly allowed: readonly string[]) {
    super('method_not_allowed', 405, 'This API route does not allow that method.');
  }
}

/** A GET or HEAD that carries a body: not forwarded, since an upstream may not read it. */
export class BodyNotAllowedError extends BadRequestError {
  constructor(method: string) {
    super('body_not_allowed', `A ${method} request may not carry a body.`);
  }
}

/** A path that could climb out of the route's base path, or is not valid percent-encoding. */
export class UnsafePathError extends BadRequestError {
  constructor(reason: string) {
    super('invalid_path', `The API path was refused: ${reason}.`);
  }
}

/** The request body exceeds BFF_PROXY_BODY_LIMIT. */
export class BodyTooLargeError extends BffError {
  constructor(limit: number) {
    super('body_too_large', 413, `The request body exceeds the limit of ${String(limit)} bytes.`);
  }
}

/** The upstream sent no response headers within the route's timeout. */
export class UpstreamTimeoutError extends BffError {
  constructor(cause?: unknown) {
    super('upstream_timeout', 504, 'The API did not answer in time.', { cause, expose: true });
  }
}

/** The upstream refused or dropped the connection. */
export class UpstreamUnavailableError extends BadGatewayError {
  constructor(cause?: unknown) {
    super('upstream_unavailable', 'The API could not be reached.', cause);
  }
}

const UPSTREAM_TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/** What an undici failure means to the browser: the upstream was too slow (504) or unreachable (502). */
export function upstreamFailureOf(error: Error): UpstreamTimeoutError | UpstreamUnavailableError {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && UPSTREAM_TIMEOUTS.has(code)
    ? new UpstreamTimeoutError(error)
    : new UpstreamUnavailableError(error);
}
