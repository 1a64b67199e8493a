/** The real dev IdP; the BFFs' redirect URIs are known up front because their ports are. */
import { createDevIdp } from '@bff/dev-idp';
import { roleArgs, serve } from '../serve';

serve(async () => {
  const args = roleArgs('idp');
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
    ],
  });
  return { url: idp.issuer, close: () => idp.close(), stats: () => idp.stats };
});
