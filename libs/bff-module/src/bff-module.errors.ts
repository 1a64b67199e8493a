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

/** The management listener could not bind its address: the BFF does not start without it. */
export class ManagementListenError extends BffError {
  constructor(host: string, port: number, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      'management_listen_failed',
      500,
      `Cannot listen on ${host}:${String(port)} (BFF_MANAGEMENT_HOST, BFF_MANAGEMENT_PORT): ${reason}`,
      { cause, expose: false },
    );
  }
}
