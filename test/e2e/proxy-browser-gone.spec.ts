import { BrowserClient } from '../support/browser-client';
import { startStack, type Stack } from '../support/bff-stack';
import { EchoUpstream } from '../support/echo-upstream';
import { PrivateRedis } from '../support/private-redis';
import { waitFor } from '../support/wait-for';

/** Longer than the browser waits, shorter than the BFF's Redis command timeout. */
const REDIS_SLOW_MS = 400;
const BROWSER_LEAVES_AFTER_MS = 100;

/**
 * A browser that leaves while the BFF still checks its call (here: the session read from a slow
 * Redis) must not have the call sent: nobody would read the answer, and an answer nobody reads
 * holds its upstream connection for good (http-proxy-middleware's bug, bench/peer/abort-leak.ts).
 */
describe('a proxied call whose browser left before it was sent', () => {
  let redis: PrivateRedis;
  let upstream: EchoUpstream;
  let stack: Stack;
  const lines: string[] = [];

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    upstream = await EchoUpstream.start();
    stack = await startStack({
      env: {
        REDIS_URL: redis.url,
        // Every call reads its session from Redis, so a slow Redis holds each call's checks.
        SESSION_CACHE_MS: '0',
        BFF_ROUTES: JSON.stringify([{ name: 'echo', upstream: upstream.url, token: 'user' }]),
      },
      logs: { write: (line) => lines.push(line) },
    });
  });
  afterAll(async () => {
    await stack.close();
    await upstream.close();
    await redis.stop();
  });

  it('is never sent upstream, and the route answers the next call', async () => {
    const browser = new BrowserClient();
    await browser.login(stack.url);
    await redis.pauseClients(REDIS_SLOW_MS);
    const leaving = new AbortController();
    const call = browser.api(`${stack.url}/api/echo/left-early`, { signal: leaving.signal }).catch(() => 'left');
    await new Promise((resolve) => setTimeout(resolve, BROWSER_LEAVES_AFTER_MS));
    leaving.abort();
    expect(await call).toBe('left');
    await waitFor(() => lines.some((line) => line.includes('abandoned: the browser closed the connection first')));
    expect(upstream.seen.map((seen) => seen.url)).not.toContain('/left-early');
    const next = await browser.api(`${stack.url}/api/echo/after`);
    expect(next.status).toBe(200);
    expect(upstream.seen.map((seen) => seen.url)).toContain('/after');
  });
});
