/**
 * The one error base of the BFF. Every failure the BFF reports to a client is a
 * `BffError`: a stable machine-readable `code`, the HTTP `status` it maps to, and
 * whether its message may be shown to the client (`expose`, true below 500 as in
 * oidc-provider). The cause is kept for logs only and never rendered.
 */
export class BffError extends Error {
  readonly expose: boolean;
  /** Further members of the JSON body beside `error` and `message` (only when exposed), e.g. `loginUrl`. */
  readonly fields: Readonly<Record<string, string>> | undefined;

  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    options?: { cause?: unknown; expose?: boolean; fields?: Record<string, string> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.expose = options?.expose ?? status < 500;
    this.fields = options?.fields;
  }
}

/** A request the client got wrong in a way no other error names (400). */
export class BadRequestError extends BffError {
  constructor(code: string, message: string, cause?: unknown) {
    super(code, 400, message, { cause });
  }
}

/** A dependency the request needs (Redis, the IdP) cannot be reached (503). */
export class DependencyUnavailableError extends BffError {
  constructor(code: string, message: string, cause?: unknown) {
    super(code, 503, message, { cause, expose: true });
  }
}

/** A dependency answered, but not in a way the BFF can use (502). */
export class BadGatewayError extends BffError {
  constructor(code: string, message: string, cause?: unknown) {
    super(code, 502, message, { cause, expose: true });
  }
}

/** The request needs a session and has none that can be opened (401). */
export class SessionRequiredError extends BffError {
  constructor() {
    super('session_required', 401, 'A valid session is required; log in at /auth/login.');
  }
}

/** State-changing or data-reading calls must carry the anti-forgery header (403). */
export class CsrfHeaderMissingError extends BffError {
  constructor() {
    super('csrf_header_missing', 403, 'The X-CSRF: 1 request header is required.');
  }
}

/** Nothing is served at this path (404). */
export class NotFoundError extends BffError {
  constructor(code: string, message: string) {
    super(code, 404, message);
  }
}
