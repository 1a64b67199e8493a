/** The real dev IdP for a benchmark; the BFFs' redirect URIs are known up front because their ports are. */
import { createDevIdp, type DevIdpClient, type DevIdpStats } from '@bff/dev-idp';

export interface BenchIdpArgs {
  accessTokenTtlSeconds: number;
  clientId: string;
  /** The BFF client's secret; unused with `fapi2`. */
  clientSecret: string;
  bffUrls: string[];
  /** More confidential clients registered as given, e.g. bench:peer's express-openid-connect app. */
  otherClients?: DevIdpClient[];
  /**
   * The dev IdP's FAPI 2.0 mode (PAR, DPoP with nonces, private_key_jwt): the BFF client then
   * authenticates with its key, published at the first BFF's `/auth/jwks`, and every access
   * token it gets is DPoP-bound (RFC 9449 §5.2).
   */
  fapi2?: boolean;
}

function bffClient(args: BenchIdpArgs): DevIdpClient {
  const uris = {
    redirectUris: args.bffUrls.map((url) => `${url}/auth/callback`),
    postLogoutRedirectUris: args.bffUrls.map((url) => `${url}/`),
  };
  if (!args.fapi2) return { clientId: args.clientId, clientSecret: args.clientSecret, ...uris };
  return {
    clientId: args.clientId,
    tokenEndpointAuthMethod: 'private_key_jwt',
    jwksUri: `${args.bffUrls[0] ?? ''}/auth/jwks`,
    dpopBoundAccessTokens: true,
    ...uris,
  };
}

export async function startBenchIdp(
  args: BenchIdpArgs,
): Promise<{ url: string; close: () => Promise<void>; stats: () => DevIdpStats }> {
  const idp = await createDevIdp({
    port: 0,
    accessTokenTtlSeconds: args.accessTokenTtlSeconds,
    ...(args.fapi2 ? { profile: 'fapi2' as const } : {}),
    clients: [bffClient(args), ...(args.otherClients ?? [])],
  });
  return { url: idp.issuer, close: () => idp.close(), stats: () => idp.stats };
}
