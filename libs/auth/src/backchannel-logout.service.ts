import { Inject, Injectable, Logger } from '@nestjs/common';
import { SINGLE_USE_GUARD, type SingleUseGuard } from '@bff/cluster';
import { OidcConfig } from '@bff/config';
import { SESSION_STORE, SessionService, UserSessions, type SessionStore } from '@bff/session';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { IdpUnavailableError, InvalidLogoutTokenError } from './auth.errors';
import { OidcClient } from './oidc-client';

const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** How old a logout token may be (its `iat`); also how long its `jti` is remembered. */
const MAX_TOKEN_AGE_SECONDS = 300;

/**
 * OIDC Back-Channel Logout 1.0: the provider POSTs a signed logout token; every
 * session it names (by `sid`, or all of a `sub`) ends on every instance, and
 * their sockets close. Validation follows §2.6: signature against the provider's
 * JWKS, iss, aud, iat, a single-use jti, the logout event, sid or sub, no nonce.
 */
@Injectable()
export class BackchannelLogoutService {
  private readonly logger = new Logger(BackchannelLogoutService.name);
  private jwks?: ReturnType<typeof createRemoteJWKSet>;
  /** The clock that judges a logout token's `iat`/`exp`; tests replace it to age a token without waiting. */
  now: () => number = Date.now;

  constructor(
    private readonly oidcClient: OidcClient,
    private readonly config: OidcConfig,
    private readonly sessions: SessionService,
    @Inject(SESSION_STORE) private readonly store: SessionStore,
    @Inject(SINGLE_USE_GUARD) private readonly usedJtis: SingleUseGuard,
    private readonly userSessions: UserSessions,
  ) {}

  /**
   * Validates the token and ends the sessions it names; returns how many ended.
   * Every refusal is an {@link InvalidLogoutTokenError} with the same body; only
   * an unreachable JWKS is a 503 (the provider's fault, not the token's).
   */
  async logout(logoutToken: unknown): Promise<number> {
    if (typeof logoutToken !== 'string' || logoutToken.length === 0) {
      throw new InvalidLogoutTokenError('logout_token is missing or not a single value');
    }
    if (logoutToken.length > 8192) throw new InvalidLogoutTokenError('logout_token is longer than 8192 characters');
    const claims = await this.verify(logoutToken);
    const sid = typeof claims.sid === 'string' ? claims.sid : undefined;
    const sub = typeof claims.sub === 'string' ? claims.sub : undefined;
    let ended: number;
    if (sid === undefined) {
      // Every session of the user, each dropped from its IdP sid's index too: that sid is known
      // from the session's listing info alone, which the token does not carry.
      ended = await this.userSessions.endAll(sub as string);
    } else {
      const ids = await this.store.idsBySid(sid);
      for (const id of ids) await this.sessions.endById(id, sub !== undefined ? { sub, sid } : undefined);
      ended = ids.length;
    }
    this.logger.log(`back-channel logout ended ${String(ended)} session(s)`);
    return ended;
  }

  private async verify(token: string): Promise<JWTPayload> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keySet(), {
        issuer: this.config.issuer,
        audience: this.config.clientId,
        maxTokenAge: MAX_TOKEN_AGE_SECONDS,
        currentDate: new Date(this.now()),
        clockTolerance: 60,
        requiredClaims: ['iat', 'jti'],
      }));
    } catch (error) {
      // The keys could not be fetched: the provider's fault, not the token's.
      const { name, code } = error as { name?: string; code?: string };
      if (error instanceof joseErrors.JWKSTimeout || code === 'ERR_JOSE_GENERIC' || name === 'TypeError') {
        throw new IdpUnavailableError(error);
      }
      throw new InvalidLogoutTokenError('the signature or a registered claim failed verification', error);
    }
    const events = payload.events as Record<string, unknown> | null | undefined;
    // The event's value must be a JSON object (OIDC Back-Channel Logout §2.4); `typeof null` is 'object' too.
    const event = typeof events === 'object' && events !== null ? events[LOGOUT_EVENT] : undefined;
    if (typeof event !== 'object' || event === null || Array.isArray(event)) {
      throw new InvalidLogoutTokenError('no back-channel logout event');
    }
    if (payload.nonce !== undefined) throw new InvalidLogoutTokenError('a nonce is present');
    if (typeof payload.sid !== 'string' && typeof payload.sub !== 'string')
      throw new InvalidLogoutTokenError('neither sid nor sub');
    // A replayed token is refused even within its validity window.
    if (
      !(await this.usedJtis.claim(
        `jti:${this.config.issuer}:${String(payload.jti)}`,
        (MAX_TOKEN_AGE_SECONDS + 60) * 1000,
      ))
    ) {
      throw new InvalidLogoutTokenError('jti already used');
    }
    return payload;
  }

  private keySet(): ReturnType<typeof createRemoteJWKSet> {
    const uri = this.oidcClient.metadata.jwks_uri;
    if (typeof uri !== 'string') throw new IdpUnavailableError(new Error('the provider publishes no jwks_uri'));
    this.jwks ??= createRemoteJWKSet(new URL(uri), { timeoutDuration: this.config.httpTimeoutMs });
    return this.jwks;
  }
}
