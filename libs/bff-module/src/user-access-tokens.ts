import { Injectable } from '@nestjs/common';
import { ProxyConfig, type UpstreamRoute } from '@bff/config';
import { RouteTokens, TokenRefresher } from '@bff/token';
import { NoUserTokenForRouteError, UnknownTokenRouteError } from './bff-module.errors';
import { openedSessionOf, renewSessionOf, type BffSession } from './current-session';

/** Which token a local API wants: the user's, or the user's as a route's policy gives it. */
export interface AccessTokenRequest {
  /** A configured route (`BFF_ROUTES` / `proxy.routes`) whose policy decides the token. */
  route?: string;
}

/**
 * Access tokens for a host's own endpoints (local APIs), refreshed exactly as
 * the `/api` proxy refreshes them: single flight in this instance, the
 * per-session lock across instances, the session re-read under it. A local
 * API calling a downstream service gets the same token the proxy would send.
 */
@Injectable()
export class UserAccessTokens {
  private readonly routes: ReadonlyMap<string, UpstreamRoute>;

  constructor(
    proxy: ProxyConfig,
    private readonly refresher: TokenRefresher,
    private readonly routeTokens: RouteTokens,
  ) {
    this.routes = new Map(proxy.routes.map((route) => [route.name, route]));
  }

  /**
   * A fresh access token for the session `@CurrentSession()` gave: the user's, or with
   * `route` whatever that route's policy sends (the user's, the BFF's client token,
   * or the user's exchanged for the route's audience), exactly as the proxy would. Throws 401
   * when the session can no longer be renewed and 503 when the IdP is away,
   * like the proxy; never returns an expired token.
   */
  async get(session: BffSession, request: AccessTokenRequest = {}): Promise<string> {
    const opened = openedSessionOf(session);
    if (request.route === undefined) {
      const fresh = await this.refresher.ensureFresh(opened);
      renewSessionOf(session, fresh);
      return fresh.record.tokens.accessToken;
    }
    const route = this.routes.get(request.route);
    if (!route) throw new UnknownTokenRouteError(request.route);
    const credential = await this.routeTokens.credentialFor(route, opened);
    if (credential.session) renewSessionOf(session, credential.session);
    if (credential.accessToken === undefined) throw new NoUserTokenForRouteError(route.name);
    return credential.accessToken;
  }
}
