import { Injectable, Logger } from '@nestjs/common';
import { OidcConfig } from '@bff/config';
import { DpopKey } from '@bff/dpop';
import { BffError, describeChain } from '@bff/errors';
import { rememberSessionDpopKey, SessionService, sessionTag, type OpenedSession } from '@bff/session';
import * as oidc from 'openid-client';
import { IdpBadResponseError, IdpLoginError, LoginValidationError } from './auth.errors';
import { classifyIdpFailure } from './idp-failure';
import { readLoginQuery } from './login-parameters';
import { LoginTransactions } from './login-transactions';
import { OidcClient, type AuthorizationRequest } from './oidc-client';
import { PendingLoginCookies, type LoginCookie } from './pending-login-cookies';
import { validateReturnTo } from './return-to';

/** ID token claims that only served the login itself. */
const LOGIN_ONLY_CLAIMS = new Set(['nonce', 'at_hash', 'c_hash', 's_hash']);

/** OAuth error codes are `%x20-21 / %x23-5B / %x5D-7E`; anything else is not echoed. */
function safeErrorCode(value: string | null): string {
  return value && /^[\x20-\x21\x23-\x5b\x5d-\x7e]{1,64}$/.test(value) ? value : 'unknown_error';
}

/**
 * The provider's answers to `prompt=none` (OIDC Core §3.1.2.6) that mean "the user must interact":
 * the SPA learns them on its own page (`?login_error=`) rather than on a BFF error page.
 */
const INTERACTION_ERRORS: ReadonlySet<string> = new Set([
  'login_required',
  'interaction_required',
  'consent_required',
  'account_selection_required',
]);

/** `returnTo` with `login_error=<code>` added to its query (before any fragment). */
export function withLoginError(returnTo: string, code: string): string {
  const hash = returnTo.indexOf('#');
  const path = hash === -1 ? returnTo : returnTo.slice(0, hash);
  const fragment = hash === -1 ? '' : returnTo.slice(hash);
  return `${path}${path.includes('?') ? '&' : '?'}login_error=${encodeURIComponent(code)}${fragment}`;
}

/** A finished callback: a new session, or a silent login the provider could not do. */
export type LoginOutcome =
  | {
      sessionCookie: string;
      returnTo: string;
      session: OpenedSession;
      /** The browser's previous session, ended, is announced to every instance by this, after the answer. */
      announceReplaced?: () => Promise<void>;
    }
  | { loginError: string; returnTo: string };

/** `/auth/login` and `/auth/callback`: the authorization-code flow with PKCE, state and nonce. */
@Injectable()
export class LoginService {
  private readonly logger = new Logger(LoginService.name);

  constructor(
    private readonly oidcClient: OidcClient,
    private readonly transactions: LoginTransactions,
    private readonly sessions: SessionService,
    private readonly loginCookies: PendingLoginCookies,
    private readonly config: OidcConfig,
  ) {}

  /**
   * Starts a login from `/auth/login`'s raw query (`returnTo` and the login parameters of
   * OIDC_LOGIN_PARAMETERS, see readLoginQuery): returns where to send the browser, the login cookie to set and the names of
   * older login cookies to clear (the browser's pending logins beyond SESSION_LOGIN_MAX_PENDING,
   * whose transactions are discarded). With PAR the request is pushed to the provider first; the
   * transaction is stored only once that worked, so a refused or failed push leaves neither a
   * transaction nor a cookie.
   */
  async begin(
    rawQuery: string,
    requestCookies: Record<string, string | undefined> = {},
  ): Promise<{ authorizationUrl: string; loginCookie: LoginCookie; dropped: string[] }> {
    const { returnTo, parameters, maxAge } = readLoginQuery(rawQuery, this.config.loginParameters);
    const target = validateReturnTo(returnTo);
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const nonce = oidc.randomNonce();
    const pending = this.transactions.prepare();
    const url = await this.authorizationUrl({
      state: pending.state,
      nonce,
      codeChallenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      parameters,
    });
    const startedAt = Date.now();
    await this.transactions.keep(pending, {
      nonce,
      codeVerifier,
      returnTo: target,
      createdAt: startedAt,
      ...(maxAge === undefined ? {} : { maxAge }),
    });
    const superseded = this.loginCookies.superseded(requestCookies, startedAt);
    await Promise.all(superseded.map(async ({ ticket }) => ticket && this.transactions.discard(ticket.id)));
    return {
      authorizationUrl: url.href,
      loginCookie: this.loginCookies.issue(pending.ticket, startedAt),
      dropped: superseded.map(({ name }) => name),
    };
  }

  /**
   * The login cookie a callback must use, found by its `state`: its name (to clear whatever the
   * outcome) and the ticket to hand to {@link complete}.
   */
  callbackCookie(
    rawQuery: string,
    requestCookies: Record<string, string | undefined>,
  ): { name?: string; ticketValue?: string } {
    return this.loginCookies.forCallback(new URLSearchParams(rawQuery).get('state') ?? undefined, requestCookies);
  }

  /** The provider's URL for this login; a failed PAR call answers as a failed token call does (502/503). */
  private async authorizationUrl(request: AuthorizationRequest): Promise<URL> {
    try {
      return await this.oidcClient.authorizationUrl(request);
    } catch (error) {
      if (error instanceof BffError) throw error;
      const failure = classifyIdpFailure(error);
      if ('unavailable' in failure) throw failure.unavailable;
      // Not the browser's fault: the provider refused the BFF's own request (its client
      // authentication, its registration). Only the OAuth error code is named, for the log.
      const reason =
        'rejected' in failure
          ? `the provider refused the pushed authorization request (${safeErrorCode(failure.rejected)})`
          : 'the pushed authorization request failed';
      throw new IdpBadResponseError(new Error(reason, { cause: error }));
    }
  }

  /**
   * Completes a login from the callback's query. Every failure throws before a
   * session exists; on success a new session (new id) replaces any previous one.
   * The caller hands the cookie to the browser, or {@link abandon}s the session.
   * A provider's `login_required`, `interaction_required`, `consent_required` or
   * `account_selection_required` (a `prompt=none` that needs the user) is no failure: the
   * outcome names it, for a redirect to `returnTo?login_error=<code>`; any session stays as it was.
   */
  async complete(
    rawQuery: string,
    loginCookie: string | undefined,
    previousSessionCookie: string | undefined,
    userAgent?: string,
  ): Promise<LoginOutcome> {
    const query = new URLSearchParams(rawQuery);
    const transaction = await this.transactions.finish(query.get('state') ?? undefined, loginCookie);
    // Checked again before the code is spent: a transaction stored by an older version
    // may hold a returnTo that today's rule refuses, and the redirect must be writable.
    const returnTo = validateReturnTo(transaction.returnTo);
    if (query.has('error')) {
      const code = safeErrorCode(query.get('error'));
      if (INTERACTION_ERRORS.has(code)) {
        this.logger.log(`silent login not possible: the provider answered ${code}`);
        return { loginError: code, returnTo: withLoginError(returnTo, code) };
      }
      throw new IdpLoginError(code);
    }

    const state = query.get('state') as string;
    // RFC 9449: the session's own key, made before the code is spent so the tokens are bound to it.
    const alg = this.oidcClient.sessionDpopAlg;
    const dpopKey = alg === undefined ? undefined : DpopKey.generate(alg);
    let tokens;
    try {
      tokens = await this.oidcClient.exchangeCode(
        new URL(`${this.oidcClient.redirectUri}?${rawQuery}`),
        {
          state,
          nonce: transaction.nonce,
          codeVerifier: transaction.codeVerifier,
          ...(transaction.maxAge === undefined ? {} : { maxAge: transaction.maxAge }),
        },
        dpopKey,
      );
    } catch (error) {
      const failure = classifyIdpFailure(error);
      if ('unavailable' in failure) throw failure.unavailable;
      throw new LoginValidationError(error);
    }
    if (!tokens.claims || !tokens.idToken)
      throw new LoginValidationError(new Error('no ID token in the token response'));

    const claims = Object.fromEntries(Object.entries(tokens.claims).filter(([name]) => !LOGIN_ONLY_CLAIMS.has(name)));
    const previous = await this.sessions.open(previousSessionCookie);
    const announceReplaced = previous ? await this.sessions.endUnannounced(previous) : undefined;
    const { cookieValue, session } = await this.sessions.create({
      sub: String(claims.sub),
      sid: typeof claims.sid === 'string' ? claims.sid : undefined,
      claims,
      tokens: {
        accessToken: tokens.accessToken,
        accessTokenExpiresAt: tokens.accessTokenExpiresAt,
        accessTokenIssuedAt: tokens.accessTokenIssuedAt,
        refreshToken: tokens.refreshToken,
        idToken: tokens.idToken,
        tokenType: tokens.tokenType,
        scope: tokens.scope,
      },
      dpopKey: dpopKey === undefined ? undefined : rememberSessionDpopKey(dpopKey),
      userAgent,
    });
    this.logger.log(`login completed for sub ${String(claims.sub)} (session ${sessionTag(session.ticket.id)})`);
    return { sessionCookie: cookieValue, returnTo, session, announceReplaced };
  }

  /**
   * Tells every instance that the session a login replaced has ended (its sockets close with
   * 4001), once the callback's answer is out. Never throws: the session is already gone from the
   * store, and if this fails its sockets close at their next heartbeat (30 s).
   */
  async announceReplaced(announce: () => Promise<void>): Promise<void> {
    try {
      await announce();
    } catch (error) {
      this.logger.error(`the end of a replaced session could not be announced: ${describeChain(error)}`);
    }
  }

  /**
   * Ends a session the login created but whose cookie never reached the browser
   * (the callback's response failed or the client went away): no one could use
   * it, and it must not wait in the store for its idle timeout. Never throws.
   */
  async abandon(session: OpenedSession): Promise<void> {
    const tag = sessionTag(session.ticket.id);
    try {
      await this.sessions.end(session);
      this.logger.warn(`session ${tag} ended: the callback response carrying its cookie was not delivered`);
    } catch (error) {
      this.logger.error(`session ${tag} was not delivered and could not be ended: ${describeChain(error)}`);
    }
  }
}
