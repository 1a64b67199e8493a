import type Provider from 'oidc-provider';
import type { Client, FindAccount, TokenEndpointGrantContext } from 'oidc-provider';
import { errors } from 'oidc-provider';
import { createLocalJWKSet, errors as joseErrors, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import { bindToDpopProof, requireDpopProofIfBound } from './dpop-binding';
import { grantableScope, resolveTarget, scopesOf, type DevResourceServers } from './resource-servers';

export const TOKEN_EXCHANGE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:token-exchange';
/** RFC 8693 §3: the only token type this exchange takes and issues. */
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/** RFC 8693 §2.1 request parameters, beside `grant_type` and the client's authentication. */
const PARAMETERS = [
  'subject_token',
  'subject_token_type',
  'requested_token_type',
  'actor_token',
  'actor_token_type',
  'resource',
  'audience',
  'scope',
];
/** RFC 8693 lets these repeat; resolveTarget refuses more than one as `invalid_target`. */
const REPEATABLE = ['resource', 'audience'];

/**
 * Exchanged tokens belong to no oidc-provider grant: the subject token is a JWT, which the
 * provider never stores, so there is no grant id to link (and no record to revoke either way).
 */
const NO_GRANT = '';

export interface TokenExchangeOptions {
  servers: DevResourceServers;
  /** The provider's public signing keys: a subject token must verify with one of them. */
  keys: JSONWebKeySet;
  /** The provider's account lookup: a subject that is no user (a client's own token) is refused. */
  findAccount: FindAccount;
}

interface SubjectToken {
  sub: string;
  exp: number;
  scopes: string[];
}

/** `invalid_grant` that says why: oidc-provider's InvalidGrant has a fixed description otherwise. */
function invalidGrant(description: string, cause?: unknown): errors.InvalidGrant {
  const error = new errors.InvalidGrant({ cause });
  error.error_description = description;
  return error;
}

function requireParameters(params: Record<string, unknown>): string {
  if (params.actor_token !== undefined || params.actor_token_type !== undefined) {
    throw new errors.InvalidRequest('actor_token is not supported');
  }
  const subjectToken = params.subject_token;
  if (typeof subjectToken !== 'string' || subjectToken === '') {
    throw new errors.InvalidRequest("missing required parameter 'subject_token'");
  }
  if (params.subject_token_type === undefined) {
    throw new errors.InvalidRequest("missing required parameter 'subject_token_type'");
  }
  if (params.subject_token_type !== ACCESS_TOKEN_TYPE) {
    throw new errors.InvalidRequest(`subject_token_type must be ${ACCESS_TOKEN_TYPE}`);
  }
  if (params.requested_token_type !== undefined && params.requested_token_type !== ACCESS_TOKEN_TYPE) {
    throw new errors.InvalidRequest(`requested_token_type must be ${ACCESS_TOKEN_TYPE}`);
  }
  return subjectToken;
}

/**
 * Accepts only an access token this provider issued (RFC 9068 JWT signed with its own key, its
 * issuer, one of its audiences, not expired) to the calling client: a BFF may exchange its own
 * user's token, never one another client obtained.
 */
async function verifySubjectToken(
  token: string,
  client: Client,
  verify: { issuer: string; keys: ReturnType<typeof createLocalJWKSet>; audiences: readonly string[] },
): Promise<SubjectToken> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, verify.keys, {
      issuer: verify.issuer,
      audience: [...verify.audiences],
      // typ at+jwt: an ID token or logout token, signed by the same key, is not an access token.
      typ: 'at+jwt',
      algorithms: ['RS256'],
      requiredClaims: ['sub', 'exp', 'client_id'],
    }));
  } catch (cause) {
    const expired = cause instanceof joseErrors.JWTExpired;
    throw invalidGrant(expired ? 'subject token is expired' : 'subject token is invalid', cause);
  }
  if (payload.client_id !== client.clientId) {
    throw invalidGrant('subject token was issued to another client');
  }
  const { sub, exp } = payload;
  if (typeof sub !== 'string' || typeof exp !== 'number') throw invalidGrant('subject token is invalid');
  return { sub, exp, scopes: scopesOf(payload.scope) };
}

/**
 * Registers RFC 8693 token exchange with oidc-provider's extension point: the client trades the
 * user's access token for one of another resource server (`resource` and/or `audience`), same
 * `sub`, `client_id` = the caller, `act.sub` = the caller (who acts for the user). Scopes never
 * grow beyond the subject token's, and the new token never outlives it: exchanging tokens in a
 * chain cannot stretch a user's access past what the refresh grant gave. With a DPoP proof the new
 * token is bound to the proof's key (`cnf.jkt`, `token_type` DPoP), whatever bound the subject token.
 */
export function registerTokenExchangeGrant(provider: Provider, options: TokenExchangeOptions): void {
  const { servers, findAccount } = options;
  const verify = { issuer: provider.issuer, keys: createLocalJWKSet(options.keys), audiences: servers.indicators };

  const handler = async (ctx: TokenEndpointGrantContext): Promise<void> => {
    const { client, params } = ctx.oidc;
    const proof = await requireDpopProofIfBound(provider, ctx);
    const subjectToken = requireParameters(params);
    const indicator = resolveTarget(servers, params);
    const subject = await verifySubjectToken(subjectToken, client, verify);
    const account = await findAccount(ctx, subject.sub);
    if (!account) throw invalidGrant('subject token does not name a user');

    const info = servers.info(indicator);
    const iat = Math.floor(Date.now() / 1000);
    const exp = Math.min(iat + info.accessTokenTTL, subject.exp);
    if (exp <= iat) throw invalidGrant('subject token is expired');
    const requested = params.scope === undefined ? subject.scopes : scopesOf(params.scope);
    const token = new provider.AccessToken({
      accountId: account.accountId,
      client,
      grantId: NO_GRANT,
      gty: TOKEN_EXCHANGE_GRANT_TYPE,
      resourceServer: new provider.ResourceServer(indicator, info),
      scope: grantableScope(
        info,
        requested.filter((scope) => subject.scopes.includes(scope)),
      ),
      iat,
      exp,
      expiresIn: exp - iat,
    });
    await bindToDpopProof(provider, ctx, proof, token);
    ctx.oidc.entity('Account', account);
    ctx.oidc.entity('AccessToken', token);
    const accessToken = await token.save();
    ctx.body = {
      access_token: accessToken,
      issued_token_type: ACCESS_TOKEN_TYPE,
      token_type: token.tokenType,
      expires_in: token.expiration,
      scope: token.scope,
    };
  };
  provider.registerGrantType(TOKEN_EXCHANGE_GRANT_TYPE, handler, PARAMETERS, REPEATABLE);
}
