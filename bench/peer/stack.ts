/**
 * bench:peer's processes: the upstream, the bare proxy, the dev IdP (one confidential client
 * for the BFF, one for the peer), the BFF and the peer; alice logged in once at each, through
 * the IdP like a browser. Before anything is measured, the upstream's echo of what it received
 * shows that both the BFF and the peer forward alice's access token and no cookie.
 */
import { randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import { freePort } from '../../test/support/free-port';
import { apiUrl, bffEnvironment, loginToBff } from '../common/bff';
import { ServerGroup, type ServerProcess } from '../common/children';
import type { Target } from '../common/load';
import { HEADERS_PATH, JSON_1K_PATH, ROUTE } from '../common/proxied-get';
import { ACCESS_TOKEN_TTL_SECONDS, serverScript } from '../proxy/protocol';
import { loginToPeer, USER } from './login';
import { PEER_SCRIPT, peerClient, type PeerArgs } from './protocol';

export const NAMES = {
  bare: 'bare reply-from proxy',
  peer: 'peer: express-openid-connect + http-proxy-middleware',
  bff: 'BFF, SESSION_CACHE_MS=1000 (default)',
};
/** Process names. */
export const PROCESSES = { upstream: 'upstream', bare: 'bare', bff: 'bff', peer: 'peer', idp: 'idp' };

const BFF_CLIENT = { clientId: 'bff-bench', clientSecret: 'bff-bench-secret' };
const PEER_CLIENT = { clientId: 'peer-bench', clientSecret: 'peer-bench-secret' };
const CHECK_TIMEOUT_MS = 5_000;

export class PeerStack {
  private readonly group = new ServerGroup();
  targets: Target[] = [];
  private checks: { name: string; url: string; headers: Record<string, string>; clientId: string }[] = [];

  constructor(private readonly redisUrl: string) {}

  get servers(): readonly ServerProcess[] {
    return this.group.servers;
  }

  idp(): ServerProcess {
    return this.group.get(PROCESSES.idp);
  }

  async start(): Promise<void> {
    const upstream = await this.group.start(PROCESSES.upstream, serverScript('upstream'), {});
    const bare = await this.group.start(PROCESSES.bare, serverScript('bare'), { upstream: upstream.url });
    // Both redirect URIs must be registered at the IdP before the apps boot, so their ports come first.
    const [bffPort, peerPort] = [await freePort(), await freePort()];
    const idp = await this.group.start(PROCESSES.idp, serverScript('idp'), {
      ...BFF_CLIENT,
      bffUrls: [`http://localhost:${String(bffPort)}`],
      otherClients: [peerClient({ ...PEER_CLIENT, port: peerPort })],
      accessTokenTtlSeconds: ACCESS_TOKEN_TTL_SECONDS,
    });
    const env = bffEnvironment({
      ...BFF_CLIENT,
      port: bffPort,
      issuer: idp.url,
      upstream: upstream.url,
      sessionSecret: randomBytes(32).toString('base64url'),
      cacheMs: 1000,
      redisUrl: this.redisUrl,
    });
    const peerArgs: PeerArgs = {
      ...PEER_CLIENT,
      port: peerPort,
      issuer: idp.url,
      upstream: upstream.url,
      redisUrl: this.redisUrl,
    };
    const [bff, peer] = await Promise.all([
      this.group.start(PROCESSES.bff, serverScript('bff'), { logs: 'errors' }, { env }),
      // NODE_ENV=production, as Express's "Production best practices: performance" asks.
      this.group.start(PROCESSES.peer, PEER_SCRIPT, peerArgs, {
        env: { PATH: process.env.PATH, NODE_ENV: 'production' },
      }),
    ]);
    const bffHeaders = await loginToBff(bff);
    const peerHeaders = await loginToPeer(peer);
    this.targets = [
      { name: NAMES.bare, url: `${bare.url}/api/${ROUTE}${JSON_1K_PATH}`, headers: {}, process: bare.name },
      { name: NAMES.peer, url: apiUrl(peer.url, JSON_1K_PATH), headers: peerHeaders, process: peer.name },
      { name: NAMES.bff, url: apiUrl(bff.url, JSON_1K_PATH), headers: bffHeaders, process: bff.name },
    ];
    this.checks = [
      { name: NAMES.peer, url: apiUrl(peer.url, HEADERS_PATH), headers: peerHeaders, clientId: PEER_CLIENT.clientId },
      { name: NAMES.bff, url: apiUrl(bff.url, HEADERS_PATH), headers: bffHeaders, clientId: BFF_CLIENT.clientId },
    ];
  }

  /** The upstream must have received alice's access token, issued to that app's client, and no cookie. */
  async verifyForwarding(): Promise<void> {
    for (const check of this.checks) {
      const response = await fetch(check.url, {
        headers: check.headers,
        signal: AbortSignal.timeout(CHECK_TIMEOUT_MS),
      });
      const text = await response.text();
      if (response.status !== 200) {
        throw new Error(`${check.name}: ${HEADERS_PATH} answered ${String(response.status)}: ${text.slice(0, 200)}`);
      }
      const seen = JSON.parse(text) as { authorization: string | null; cookie: string | null };
      const [scheme = '', token = ''] = (seen.authorization ?? '').split(' ');
      if (scheme.toLowerCase() !== 'bearer' || token === '') {
        throw new Error(
          `${check.name}: the upstream got no Bearer token (authorization: ${String(seen.authorization)})`,
        );
      }
      const claims = decodeJwt(token);
      if (claims.sub !== USER || claims.client_id !== check.clientId) {
        throw new Error(
          `${check.name}: the upstream got a token of ${String(claims.sub)} for ${String(claims.client_id)}, ` +
            `expected ${USER} for ${check.clientId}`,
        );
      }
      if (seen.cookie !== null) throw new Error(`${check.name}: the browser's Cookie header reached the upstream`);
    }
  }

  stop(): Promise<void> {
    return this.group.stop();
  }

  kill(): void {
    this.group.kill();
  }
}
