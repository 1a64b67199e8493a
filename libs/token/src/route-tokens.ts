import { Injectable, type OnModuleInit } from '@nestjs/common';
import { OidcClient, TOKEN_EXCHANGE_GRANT } from '@bff/auth';
import { ProxyConfig, type RouteTokenPolicy, type UpstreamRoute } from '@bff/config';
import { SessionRequiredError } from '@bff/errors';
import type { DpopKey } from '@bff/dpop';
import { boundDpopKey, type OpenedSession, type SessionRecord } from '@bff/session';
import { ClientTokens } from './client-tokens';
import { ExchangedTokens } from './exchanged-tokens';
import { NarrowedUserTokens } from './narrowed-user-tokens';
import { TokenRefresher } from './token-refresher';

/** Whether a route's policy needs the caller's session opened. */
export type SessionNeed = 'required' | 'optional' | 'never';

const SESSION_NEED: Record<RouteTokenPolicy, SessionNeed> = {
  user: 'required',
  'optional-user': 'optional',
  none: 'never',
  client: 'never',
  'user-or-client': 'optional',
  exchange: 'required',
};

/** The grant each policy needs the provider to offer, beyond the login's own. */
const GRANT_NEEDED: Partial<Record<RouteTokenPolicy, string>> = {
  client: 'client_credentials',
  'user-or-client': 'client_credentials',
  exchange: TOKEN_EXCHANGE_GRANT,
};

/** What the upstream of one call gets: the token, and the session it came from (renewed, if it was). */
export interface RouteCredential {
  accessToken?: string;
  /**
   * The key the token is bound to (RFC 9449), when the provider answered `token_type: DPoP`: the
   * token then goes as `Authorization: DPoP` with a proof of this key; without it, as `Bearer`.
   */
  dpopKey?: DpopKey;
  session?: OpenedSession;
}

/** The credential of a session's token, with the session's key when the provider bound the token to it. */
function sessionCredential(
  accessToken: string,
  tokenType: string | undefined,
  record: SessionRecord,
  session: OpenedSession,
): RouteCredential {
  const dpopKey = boundDpopKey(tokenType, record);
  return dpopKey === undefined ? { accessToken, session } : { accessToken, dpopKey, session };
}

/** The credential of the session's own access token. */
function ownCredential(session: OpenedSession): RouteCredential {
  const { record } = session;
  return sessionCredential(record.tokens.accessToken, record.tokens.tokenType, record, session);
}

/**
 * The token a route's policy sends upstream, one place for the proxy and for
 * local APIs (`UserAccessTokens`): the user's (refreshed under the session's
 * lock), the BFF's own (client credentials), or the user's exchanged for the
 * route's audience. At boot, every route whose grant the provider does not
 * advertise is named, and the BFF does not start.
 */
@Injectable()
export class RouteTokens implements OnModuleInit {
  constructor(
    private readonly refresher: TokenRefresher,
    private readonly clients: ClientTokens,
    private readonly exchanges: ExchangedTokens,
    private readonly narrowed: NarrowedUserTokens,
    private readonly oidc: OidcClient,
    private readonly proxy: ProxyConfig,
  ) {}

  onModuleInit(): void {
    const supported = this.oidc.supportedGrantTypes;
    const problems = this.proxy.routes.flatMap((route) => {
      const found: string[] = [];
      const grant = GRANT_NEEDED[route.token];
      if (grant !== undefined && !supported.has(grant)) {
        found.push(
          `BFF_ROUTES route "${route.name}" (token "${route.token}") needs the "${grant}" grant, which the OpenID Provider does not list in grant_types_supported`,
        );
      }
      return found;
    });
    if (problems.length > 0) throw new Error(problems.join('; '));
  }

  /** Whether the route's policy needs the caller's session: required, optional or never looked at. */
  sessionNeed(route: UpstreamRoute): SessionNeed {
    return SESSION_NEED[route.token];
  }

  /**
   * The credential for one call on the route. `rejected` names a token the
   * upstream just refused (401 invalid_token): a new one is obtained instead.
   */
  async credentialFor(
    route: UpstreamRoute,
    session: OpenedSession | undefined,
    rejected?: string,
  ): Promise<RouteCredential> {
    switch (route.token) {
      case 'none':
        return {};
      case 'client':
        return this.clients.credential(route, rejected);
      case 'user-or-client':
        if (!session) return this.clients.credential(route, rejected);
        return this.userToken(route, session, rejected);
      case 'optional-user':
        return session ? this.userToken(route, session, rejected) : {};
      case 'user':
        if (!session) throw new SessionRequiredError();
        return this.userToken(route, session, rejected);
      case 'exchange': {
        if (!session) throw new SessionRequiredError();
        const fresh = await this.refresher.ensureFresh(session, rejected);
        const token = await this.exchanges.get(fresh, route, rejected);
        return sessionCredential(token.accessToken, token.tokenType, fresh.record, fresh);
      }
    }
  }

  /**
   * The credential {@link credentialFor} would give, when it is at hand without waiting: a route
   * that sends no token, the session's own token while it is fresh, or a narrowed, exchanged or
   * client token this instance already holds, fresh. Undefined when anything is due (a refresh, a
   * grant, a missing session): ask {@link credentialFor}. Most calls end here, with no promise made.
   */
  credentialNow(route: UpstreamRoute, session: OpenedSession | undefined): RouteCredential | undefined {
    switch (route.token) {
      case 'none':
        return {};
      case 'client':
        return this.clients.credentialNow(route);
      // No session at hand may still mean one not in this instance's cache: only the wait can tell.
      case 'user-or-client':
      case 'optional-user':
      case 'user':
        return session && this.userTokenNow(route, session);
      case 'exchange': {
        if (!session || !this.refresher.isFresh(session)) return undefined;
        const token = this.exchanges.cachedNow(session, route);
        return token && sessionCredential(token.accessToken, token.tokenType, session.record, session);
      }
    }
  }

  /** {@link userToken} when nothing is due: the session's own token fresh, and the narrowed one held. */
  private userTokenNow(route: UpstreamRoute, session: OpenedSession): RouteCredential | undefined {
    if (!this.refresher.isFresh(session)) return undefined;
    if (route.resource === undefined) return ownCredential(session);
    const token = this.narrowed.cachedNow(session, route);
    return token && sessionCredential(token.accessToken, token.tokenType, session.record, session);
  }

  /** The user's token: the session's own, or narrowed to the route's `resource` (RFC 8707). */
  private async userToken(
    route: UpstreamRoute,
    session: OpenedSession,
    rejected: string | undefined,
  ): Promise<RouteCredential> {
    const fresh = await this.refresher.ensureFresh(session, rejected);
    if (route.resource === undefined) return ownCredential(fresh);
    const token = await this.narrowed.get(fresh, route, rejected);
    return sessionCredential(token.accessToken, token.tokenType, fresh.record, fresh);
  }
}
