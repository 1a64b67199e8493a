import { Injectable } from '@nestjs/common';
import { ProxyConfig, type UpstreamRoute } from '@bff/config';
import { htuOf } from '@bff/dpop';
import { boundDpopKey } from '@bff/session';
import { RouteTokens, TokenRefresher, type RouteCredential } from '@bff/token';
import { NoUserTokenForRouteError, UnknownTokenRouteError } from './bff-module.errors';
import { openedSessionOf, renewSessionOf, type BffSession } from './current-session';

/** Which token a local API wants: the user's, or the user's as a route's policy gives it. */
export interface AccessTokenRequest {
  /** A configured route (`BFF_ROUTES` / `proxy.routes`) whose policy decides the token. */
  route?: string;
}

/** One outgoing call of a local API, for its DPoP proof. */
export interface PresentedCall {
  /** The HTTP method (`htm`). */
  method: string;
  /** The URL called; its query and fragment are left out of the proof's `htu`. */
  url: string;
  /** The `DPoP-Nonce` the called server last sent, when it asks for one. */
  nonce?: string;
}

/** The headers that present a token: `Authorization`, and `DPoP` when the token is DPoP-bound. */
export interface PresentationHeaders {
  authorization: string;
  dpop?: string;
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
    return (await this.credential(session, request)).accessToken;
  }

  /**
   * The headers for one call with the token {@link get} gives: `Authorization: Bearer`, or for a
   * DPoP-bound token (RFC 9449) `Authorization: DPoP` and a fresh proof of the session's key for
   * this method and URL. A server that answers 401 `use_dpop_nonce` sends its nonce in
   * `DPoP-Nonce`: call again with it in `call.nonce`.
   */
  async headersFor(
    session: BffSession,
    call: PresentedCall,
    request: AccessTokenRequest = {},
  ): Promise<PresentationHeaders> {
    const { accessToken, dpopKey } = await this.credential(session, request);
    if (dpopKey === undefined) return { authorization: `Bearer ${accessToken}` };
    const dpop = dpopKey.proof({ htm: call.method, htu: htuOf(call.url), accessToken, nonce: call.nonce });
    return { authorization: `DPoP ${accessToken}`, dpop };
  }

  private async credential(
    session: BffSession,
    request: AccessTokenRequest,
  ): Promise<RouteCredential & { accessToken: string }> {
    const opened = openedSessionOf(session);
    if (request.route === undefined) {
      const fresh = await this.refresher.ensureFresh(opened);
      renewSessionOf(session, fresh);
      const { accessToken, tokenType } = fresh.record.tokens;
      const dpopKey = boundDpopKey(tokenType, fresh.record);
      return dpopKey === undefined ? { accessToken } : { accessToken, dpopKey };
    }
    const route = this.routes.get(request.route);
    if (!route) throw new UnknownTokenRouteError(request.route);
    const credential = await this.routeTokens.credentialFor(route, opened);
    if (credential.session) renewSessionOf(session, credential.session);
    const { accessToken } = credential;
    if (accessToken === undefined) throw new NoUserTokenForRouteError(route.name);
    return { ...credential, accessToken };
  }
}
