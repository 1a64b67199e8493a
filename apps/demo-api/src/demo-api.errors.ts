/**
 * Errors of the demo API. Each carries the stable `code` and HTTP `status` that the
 * server renders as `{ "error": code, "message": message }`.
 */
export class DemoApiError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The bearer token is missing, malformed, expired or fails verification (401). */
export class InvalidTokenError extends DemoApiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('invalid_token', 401, message, options);
  }
}

/** The issuer's discovery document or JWKS could not be fetched (503). */
export class IdpUnavailableError extends DemoApiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('idp_unavailable', 503, message, options);
  }
}

/** The request body is not what the route accepts (400). */
export class InvalidRequestError extends DemoApiError {
  constructor(message: string) {
    super('invalid_request', 400, message);
  }
}

/** The notification publisher failed (502). */
export class PublishFailedError extends DemoApiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('publish_failed', 502, message, options);
  }
}
