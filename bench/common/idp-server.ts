/** The real dev IdP for a benchmark; the BFFs' redirect URIs are known up front because their ports are. */
import { createDevIdp, type DevIdpClient, type DevIdpStats } from '@bff/dev-idp';

export interface BenchIdpArgs {
  accessTokenTtlSeconds: number;
  clientId: string;
  clientSecret: string;
  bffUrls: string[];
  /** More confidential clients registered as given, e.g. bench:peer's express-openid-connect app. */
  otherClients?: DevIdpClient[];
}

export async function startBenchIdp(
  args: BenchIdpArgs,
): Promise<{ url: string; close: () => Promise<void>; stats: () => DevIdpStats }> {
  const idp = await createDevIdp({
    port: 0,
    accessTokenTtlSeconds: args.accessTokenTtlSeconds,
    clients: [
      {
        clientId: args.clientId,
        clientSecret: args.clientSecret,
        redirectUris: args.bffUrls.map((url) => `${url}/auth/callback`),
        postLogoutRedirectUris: args.bffUrls.map((url) => `${url}/`),
      },
      ...(args.otherClients ?? []),
    ],
  });
  return { url: idp.issuer, close: () => idp.close(), stats: () => idp.stats };
}
