/**
 * Errors of the demo API. Each carries the stable `code` and HTTP `status` that the
 * server renders as `{ "error": code, "message": message }`, and a 401 the
 * `WWW-Authenticate` challenge it answers with (`Bearer error="invalid_token"` unless set).
 */
export class DemoApiError extends Error {
  readonly challenge: string | undefined;

  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    options?: { cause?: unknown; challenge?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.challenge = options?.challenge;
  }
}

/** The access token is missing, malformed, expired or fails verification (401). */
export class InvalidTokenError extends DemoApiError {
  constructor(message: string, options?: { cause?: unknown; challenge?: string }) {
    super('invalid_token', 401, message, options);
  }
}

/**
 * A DPoP presentation refused (401, RFC 9449 §7.1): `code` is the challenge's error
 * (`invalid_dpop_proof`, `use_dpop_nonce` or `invalid_token`), `reason` the check that failed.
 */
export class DpopRejectedError extends DemoApiError {
  constructor(
    readonly reason: string,
    code: string,
    message: string,
    challenge: string,
  ) {
    super(code, 401, message, { challenge });
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
