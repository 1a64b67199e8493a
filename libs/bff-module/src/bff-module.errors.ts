import { BffError } from '@bff/errors';

/** `UserAccessTokens.get(session, { route })` names no configured route: a mistake in the host's code. */
export class UnknownTokenRouteError extends BffError {
  constructor(route: string) {
    super('unknown_token_route', 500, `No BFF route named "${route}" is configured.`, { expose: false });
  }
}

/** The route's policy sends no token (`none`, or `optional-user` without a session), so there is none to give. */
export class NoUserTokenForRouteError extends BffError {
  constructor(route: string) {
    super('no_token_for_route', 500, `The BFF route "${route}" sends no token.`, { expose: false });
  }
}
