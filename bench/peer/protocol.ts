/**
 * bench:peer's own server: the stack a team would otherwise assemble for the same job, an
 * express app with express-openid-connect, a Redis session store and http-proxy-middleware.
 * The upstream, the bare proxy, the BFF and the IdP are bench:proxy's (proxy/servers).
 */
import { join } from 'node:path';
import type { DevIdpClient } from '@bff/dev-idp';

/** The peer's arguments, JSON in argv[2]. */
export interface PeerArgs {
  /** Fixed before boot: the IdP must know the redirect URI first. */
  port: number;
  issuer: string;
  upstream: string;
  clientId: string;
  clientSecret: string;
  redisUrl: string;
}

export const PEER_SCRIPT = join(__dirname, 'servers', 'peer.js');

/** The peer's public origin (what the browser and the IdP see). */
export function peerBaseUrl(port: number): string {
  return `http://localhost:${String(port)}`;
}

/** The peer's registration at the IdP: express-openid-connect's default /callback route and post-logout return. */
export function peerClient(args: Pick<PeerArgs, 'port' | 'clientId' | 'clientSecret'>): DevIdpClient {
  const base = peerBaseUrl(args.port);
  return {
    clientId: args.clientId,
    clientSecret: args.clientSecret,
    redirectUris: [`${base}/callback`],
    postLogoutRedirectUris: [base, `${base}/`],
  };
}
