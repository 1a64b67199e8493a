import { BffError } from '@bff/errors';

/** `UserAccessTokens.get(session, { route })` names no configured route: a mistake in the host's code. */
export class UnknownTokenRouteError extends BffError {
  constructor(route: string) {
    super('unknown_token_route', 500, `No BFF route named "${route}" is configured.`, { expose: false });
  }
}

/** The route's policy sends no user token (`none`), so there is none to give. */
export class NoUserTokenForRouteError extends BffError {
  constructor(route: string) {
    super('no_user_token_for_route', 500, `The BFF route "${route}" sends no user token.`, { expose: false });
  }
}
