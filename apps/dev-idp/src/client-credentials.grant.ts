import type Provider from 'oidc-provider';
import type { TokenEndpointGrantContext } from 'oidc-provider';
import { bindToDpopProof, requireDpopProofIfBound } from './dpop-binding';
import { grantableScope, resolveTarget, scopesOf, type DevResourceServers } from './resource-servers';

export const CLIENT_CREDENTIALS_GRANT_TYPE = 'client_credentials';

/** The grant's own parameters, beside `grant_type` and the client's authentication. */
const PARAMETERS = ['scope', 'resource', 'audience'];
/** Accepted more than once by the parser so that resolveTarget can refuse it as `invalid_target`. */
const REPEATABLE = ['resource', 'audience'];

/**
 * Registers the client credentials grant (RFC 6749 §4.4): the BFF's own token, no user involved.
 *
 * oidc-provider ships one (`features.clientCredentials`) that takes only `resource`; this one also
 * takes `audience` and resolves both exactly as token exchange does (`resolveTarget`), so a BFF
 * route that names its target either way gets a token with that `aud`, and an unknown target is
 * `invalid_target`. The JWT's `client_id` is the caller and, as oidc-provider formats every token
 * without a user, its `sub` is the client id too. A request with a DPoP proof gets a token bound
 * to the proof's key (`cnf.jkt`, `token_type` DPoP), as the built-in grant would.
 */
export function registerClientCredentialsGrant(provider: Provider, servers: DevResourceServers): void {
  const handler = async (ctx: TokenEndpointGrantContext): Promise<void> => {
    const { client, params } = ctx.oidc;
    const proof = await requireDpopProofIfBound(provider, ctx);
    const indicator = resolveTarget(servers, params);
    const info = servers.info(indicator);
    const token = new provider.ClientCredentials({
      client,
      resourceServer: new provider.ResourceServer(indicator, info),
      scope: grantableScope(info, scopesOf(params.scope)),
    });
    await bindToDpopProof(provider, ctx, proof, token);
    ctx.oidc.entity('ClientCredentials', token);
    const accessToken = await token.save();
    ctx.body = {
      access_token: accessToken,
      token_type: token.tokenType,
      expires_in: token.expiration,
      scope: token.scope,
    };
  };
  provider.registerGrantType(CLIENT_CREDENTIALS_GRANT_TYPE, handler, PARAMETERS, REPEATABLE);
}
