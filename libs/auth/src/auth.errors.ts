import { BadGatewayError, BadRequestError, BffError, DependencyUnavailableError, NotFoundError } from '@bff/errors';

/** `returnTo` is not a relative same-origin path (open-redirect defence). */
export class InvalidReturnToError extends BadRequestError {
  constructor() {
    super('invalid_return_to', 'returnTo must be a relative path on this site, such as /orders?id=1.');
  }
}

/** The callback's `state` is missing, forged, expired or already used. */
export class LoginStateError extends BadRequestError {
  constructor(reason: string) {
    super('invalid_state', `The login could not be completed: ${reason}. Start again at /auth/login.`);
  }
}

/** The OpenID Provider answered the authorization request with `error=`. */
export class IdpLoginError extends BadRequestError {
  constructor(readonly idpError: string) {
    super('idp_error', `The identity provider did not complete the login (${idpError}).`);
  }
}

/** The code exchange or the ID token failed validation. */
export class LoginValidationError extends BadRequestError {
  constructor(cause: unknown) {
    super('login_failed', 'The login response from the identity provider failed validation.', cause);
  }
}

/** `/auth/logout?sid=` does not match the session's logout value. */
export class LogoutSidMismatchError extends BadRequestError {
  constructor() {
    super('invalid_logout_sid', 'The sid parameter does not match this session; use the logoutUrl from /auth/user.');
  }
}

/** The OpenID Provider cannot be reached or timed out. */
export class IdpUnavailableError extends DependencyUnavailableError {
  constructor(cause: unknown) {
    super('idp_unavailable', 'The identity provider is unavailable; try again shortly.', cause);
  }
}

/** The OpenID Provider answered with a server error or an unusable response. */
export class IdpBadResponseError extends BadGatewayError {
  constructor(cause: unknown) {
    super('idp_bad_response', 'The identity provider returned an unusable response.', cause);
  }
}

/**
 * A back-channel logout token was refused. The body is one and the same whatever
 * the reason, so a caller learns nothing about the validation (nor the library
 * behind it); the reason goes to the server log through the cause.
 */
export class InvalidLogoutTokenError extends BadRequestError {
  constructor(
    readonly reason: string,
    cause?: unknown,
  ) {
    super(
      'invalid_logout_token',
      'The logout token was refused.',
      new Error(reason, cause === undefined ? undefined : { cause }),
    );
  }
}

/**
 * A browser says the request comes from another site (`Sec-Fetch-Site`) or names an
 * origin the BFF does not serve (`Origin`): refused even with the anti-forgery header.
 */
export class CrossSiteRequestError extends BffError {
  constructor(readonly reason: string) {
    super('cross_site_request', 403, 'Requests from other sites are refused.', { cause: new Error(reason) });
  }
}

/**
 * At boot: the provider's discovery document falls short of the configuration (PAR, client
 * authentication, DPoP, ID token algorithm, the FAPI 2.0 profile's checks). Lists every problem
 * at once, each naming the variable that asked for the missing feature; the BFF does not start.
 */
export class IdpRequirementsError extends BffError {
  constructor(
    issuer: string,
    readonly problems: string[],
  ) {
    super(
      'idp_requirements_unmet',
      500,
      `The OpenID Provider at ${issuer} (OIDC_ISSUER) does not offer what the configuration needs (${String(problems.length)} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      { expose: false },
    );
  }
}

/** `GET /auth/jwks` when the BFF does not authenticate with private_key_jwt: it has no keys to publish. */
export class ClientJwksNotPublishedError extends NotFoundError {
  constructor() {
    super('not_found', 'The BFF publishes no keys: its client authentication is not private_key_jwt.');
  }
}

/** An `/internal/*` call without the right bearer token (BFF_INTERNAL_TOKEN). */
export class InternalTokenError extends BffError {
  constructor() {
    super('invalid_internal_token', 401, 'A valid internal bearer token is required.');
  }
}

/** The `/internal/*` endpoints are off (BFF_INTERNAL_TOKEN unset): they answer as unknown paths. */
export class InternalEndpointDisabledError extends NotFoundError {
  constructor() {
    super('not_found', 'Not found.');
  }
}

/** `/auth/sessions/<handle>` names none of the caller's live sessions (unknown, malformed, another user's). */
export class UserSessionNotFoundError extends NotFoundError {
  constructor() {
    super('session_not_found', 'No session of yours has this handle; list them at GET /auth/sessions.');
  }
}

/** `/auth/user?slide=` is neither `true` nor `false`. */
export class InvalidSlideError extends BadRequestError {
  constructor() {
    super('invalid_slide', 'slide must be true or false (false reads the session without extending it).');
  }
}

/** `POST /internal/sessions/revoke` without a JSON body `{ "sub": "<user>" }`. */
export class InvalidRevokeRequestError extends BadRequestError {
  constructor(reason: string) {
    super('invalid_revoke_request', `The revoke request was refused: ${reason}.`);
  }
}

/**
 * The session's `acr` is not one a route or local API asks for: the SPA logs in again at
 * `loginUrl` (a path on the BFF asking for those `acr_values`) and retries (401).
 */
export class StepUpRequiredError extends BffError {
  constructor(readonly loginUrl: string) {
    super('step_up_required', 401, 'This call needs a stronger login; log in again at loginUrl.', {
      fields: { loginUrl },
    });
  }
}

/**
 * `/auth/login` got a parameter it does not forward, one twice, or a bad value (400). Names the
 * parameter (when it is a plain name) and the rule, never the value.
 */
export class InvalidLoginParameterError extends BadRequestError {
  constructor(
    readonly parameter: string | undefined,
    reason: string,
  ) {
    super(
      'invalid_login_parameter',
      `${parameter === undefined ? 'A login parameter' : `The login parameter ${parameter}`} ${reason}.`,
    );
  }
}
