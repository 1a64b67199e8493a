/** bench:peer's tables, conclusions and chart data (the shared pieces are in common/report.ts). */
import { quietness } from '../common/report';
import type { TargetSummary } from '../common/summary';
import type { ChartInput } from './chart';

/** A row of bench:peer: throughput against the bare proxy and against the peer. */
export type PeerRow = TargetSummary<'bare' | 'peer'>;

/** The targets: the BFF at least this many times the peer's throughput, with a lower p99. */
export const TARGET_VS_PEER = 4;

export interface Names {
  bare: string;
  peer: string;
  bff: string;
}

const fixed = (value: number, digits: number): string => value.toFixed(digits);

function find(rows: PeerRow[], name: string): PeerRow {
  const found = rows.find((row) => row.target === name);
  if (!found) throw new Error(`no measurement of ${name}`);
  return found;
}

/** Throughput and latency; medians over the rounds, with the spread of the per-round ratio to the peer. */
export function resultsTable(rows: PeerRow[]): string {
  const lines = rows.map((r) => {
    const spread = r.rounds > 1 ? `${fixed(r.vs.peer.min, 2)}–${fixed(r.vs.peer.max, 2)}` : '';
    return (
      `| ${r.target} | ${fixed(r.requestsPerSecond, 0)} | ${fixed(r.p50Ms, 0)} | ${fixed(r.p99Ms, 0)} | ` +
      `${fixed(r.vs.bare.median, 2)} | ${fixed(r.vs.peer.median, 2)} | ${spread} |`
    );
  });
  return [
    '| target | req/s | p50 ms | p99 ms | vs bare | vs peer | vs peer, range over rounds |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...lines,
  ].join('\n');
}

/** Whether the two targets are met, and the ratios that matter, in words. */
export function interpretation(rows: PeerRow[], names: Names, refreshes: number): string {
  const bff = find(rows, names.bff);
  const peer = find(rows, names.peer);
  const bare = find(rows, names.bare);
  const throughputMet = bff.vs.peer.median >= TARGET_VS_PEER;
  const p99Met = bff.p99Ms < peer.p99Ms;
  const proxyCpu = (row: PeerRow): number => row.cpu.proxy ?? 0;
  const spread = bff.rounds > 1 ? `; ${fixed(bff.vs.peer.min, 2)}–${fixed(bff.vs.peer.max, 2)} over the rounds` : '';
  return [
    `- Throughput: the BFF runs at **${fixed(bff.vs.peer.median, 2)}× the peer** (median of ${String(bff.rounds)} ` +
      `rounds${spread}): target ≥ ${String(TARGET_VS_PEER)}× **${throughputMet ? 'met' : 'missed'}**.`,
    `- p99: BFF ${fixed(bff.p99Ms, 0)} ms against the peer's ${fixed(peer.p99Ms, 0)} ms (p50 ${fixed(bff.p50Ms, 0)} ` +
      `against ${fixed(peer.p50Ms, 0)} ms): target "lower p99" **${p99Met ? 'met' : 'missed'}**.`,
    `- Against the common baseline, the bare reply-from proxy: peer ${fixed(peer.vs.bare.median, 2)}× (the issue ` +
      `measured about 0.2×), BFF ${fixed(bff.vs.bare.median, 2)}×.`,
    `- CPU per request in the proxy process: peer ${fixed(proxyCpu(peer), 0)} µs, BFF ${fixed(proxyCpu(bff), 0)} µs, ` +
      `bare ${fixed(proxyCpu(bare), 0)} µs; in Redis: peer ${fixed(peer.cpu.redis, 0)} µs, BFF ` +
      `${fixed(bff.cpu.redis, 0)} µs. The peer reads the session from Redis and, its session being rolling, ` +
      'writes it back with a new `Set-Cookie` on every response; the BFF reads Redis at most once a second per ' +
      'session (SESSION_CACHE_MS) and slides the idle expiry with a PEXPIRE only when it has moved by a tenth ' +
      'of the idle timeout.',
    `- Token refreshes at the IdP during the measured runs: ${String(refreshes)} (access tokens live 1 h).`,
    quietness(rows),
  ].join('\n');
}

/** How the peer was set up, and why that is its documented configuration (stated with every result). */
export const PEER_SETUP = [
  '- express-openid-connect `auth({ issuerBaseURL, baseURL, clientID, clientSecret, secret, authRequired: false, ' +
    "authorizationParams: { response_type: 'code', scope: 'openid profile email offline_access' }, " +
    'session: { store: new RedisStore({ client }) } })`, as its EXAMPLES.md shows (§2 route-specific ' +
    'authentication, §5 access and refresh tokens, §9 custom session store); every other option at its default ' +
    '(rolling 24 h session, `appSession` cookie holding the session id, `SameSite=Lax`). Over plain http the ' +
    "library's own default is `cookie.secure: false`; nothing was patched or worked around.",
  '- `/api/bench`: `requiresAuth()`, then `req.oidc.accessToken`, refreshed with `refresh()` when `isExpired()` ' +
    '(EXAMPLES.md §5), then http-proxy-middleware `createProxyMiddleware({ target, changeOrigin: true, agent, ' +
    "on: { proxyReq } })` (its README's Express example and `on.proxyReq`); `proxyReq` removes `Cookie` and sets " +
    '`Authorization: Bearer <token>`, as the BFF does.',
  "- Upstream connections: a keep-alive `http.Agent` of 128 sockets, the BFF's and the bare proxy's pool size " +
    "(httpxy's default agent is keep-alive too, 256 sockets, 64 idle). connect-redis on node-redis, one " +
    "connection, the same Redis as the BFF. `NODE_ENV=production` (Express's performance best practices).",
  '- Same upstream process, same Redis, same dev IdP (a confidential client of its own), same user and scopes, ' +
    "same 1 h access tokens. Before measuring, the upstream's echo of one request through each app shows alice's " +
    "access token, issued to that app's client, and no cookie. The BFF also demands `X-CSRF: 1`; the peer has no " +
    'such check.',
].join('\n');

/** The chart's data: one bar per target, the BFF's target marked on the throughput panel. */
export function chartInput(rows: PeerRow[], names: Names, labels: Names, subtitle: string): ChartInput {
  const colors: Names = { bare: '#8c959f', peer: '#d1842b', bff: '#2f6fdb' };
  const keys = ['bare', 'peer', 'bff'] as const;
  const peer = find(rows, names.peer);
  return {
    title: 'bench:peer: one proxied 1 KiB GET with a logged-in session',
    subtitle,
    bars: keys.map((key) => {
      const row = find(rows, names[key]);
      return { label: labels[key], requestsPerSecond: row.requestsPerSecond, p99Ms: row.p99Ms, color: colors[key] };
    }),
    marker: {
      requestsPerSecond: TARGET_VS_PEER * peer.requestsPerSecond,
      label: `target: ${String(TARGET_VS_PEER)}× peer`,
    },
  };
}
