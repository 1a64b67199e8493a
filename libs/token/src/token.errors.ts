import { BffError, DependencyUnavailableError } from '@bff/errors';

/** The provider refused the refresh token (`invalid_grant`/`invalid_client`): the session is over. */
export class RefreshRejectedError extends BffError {
  constructor(reason: string) {
    super('session_expired', 401, `The session can no longer be renewed (${reason}); log in again at /auth/login.`);
  }
}

/** Another instance's refresh took longer than the bounded wait. */
export class RefreshLockTimeoutError extends DependencyUnavailableError {
  constructor() {
    super('refresh_in_progress', 'The access token is being renewed and it is taking too long; try again shortly.');
  }
}

/** The IdP refused the BFF's own grant for a route (its client or target is misconfigured there): 502. */
export class RouteGrantRefusedError extends BffError {
  constructor(grant: string, route: string, reason: string, cause?: unknown) {
    super(
      'route_token_refused',
      502,
      `The identity provider refused the ${grant} grant for route "${route}" (${reason}).`,
      { cause, expose: true },
    );
  }
}

/** The IdP refused to exchange the user's token for this route (`invalid_grant`): this call fails, the session stays. */
export class TokenExchangeRefusedError extends BffError {
  constructor(route: string, cause?: unknown) {
    super(
      'token_exchange_refused',
      401,
      `The identity provider refused a token for route "${route}" to this session.`,
      {
        cause,
      },
    );
  }
}

/** Another instance's grant for the same token took longer than the bounded wait. */
export class RouteTokenLockTimeoutError extends DependencyUnavailableError {
  constructor() {
    super(
      'route_token_in_progress',
      'The token for this API is being obtained and it is taking too long; try again shortly.',
    );
  }
}
