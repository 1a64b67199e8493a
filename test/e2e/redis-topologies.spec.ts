import { RedisLoginTransactionStore } from '@bff/auth';
import { connectRedis, createRedisClient } from '@bff/cluster';
import { NotificationPublisher } from '@bff/realtime';
import { parseTicket, RedisSessionStore, SessionService } from '@bff/session';
import { BrowserClient } from '../support/browser-client';
import { startStack, type Stack } from '../support/bff-stack';
import { EchoUpstream } from '../support/echo-upstream';
import { PrivateRedis, PrivateSentinel } from '../support/private-redis';
import { PrivateRedisCluster } from '../support/private-redis-cluster';
import { testRedisConfig } from '../support/redis';
import { openSocket } from '../support/socket-client';

describe('on a three-master Redis Cluster', () => {
  let cluster: PrivateRedisCluster;
  let upstream: EchoUpstream;
  let stack: Stack;
  beforeAll(async () => {
    cluster = await PrivateRedisCluster.start();
    upstream = await EchoUpstream.start();
    stack = await startStack({
      instances: 2,
      env: {
        REDIS_URL: cluster.url,
        REDIS_MODE: 'cluster',
        REDIS_CLUSTER_NODES: cluster.seeds,
        BFF_ROUTES: JSON.stringify([{ name: 'echo', upstream: upstream.url, token: 'user' }]),
      },
    });
  }, 60_000);
  afterAll(async () => {
    await stack.close();
    await upstream.close();
    await cluster.stop();
  });

  it('keeps sessions, refreshes under the lock once, fans out notifications and logs out across instances', async () => {
    const [a, b] = stack.bffs.map((bff) => bff.url) as [string, string];
    const browser = new BrowserClient();
    await browser.login(a);
    expect((await browser.api(`${b}/auth/user`)).status).toBe(200);

    const sessions = stack.bffs[0]!.app.get(SessionService);
    const session = (await sessions.reload(parseTicket(browser.cookie('__Host-bff'))!))!;
    await sessions.saveTokens(session, { ...session.record.tokens, accessTokenExpiresAt: Date.now() - 1 });
    const before = stack.idp.stats.grants.refresh_token ?? 0;
    const statuses = await Promise.all(
      Array.from({ length: 40 }, (_, i) => browser.api(`${i % 2 ? a : b}/api/echo/${String(i)}`).then((r) => r.status)),
    );
    expect(statuses.every((status) => status === 200)).toBe(true);
    expect((stack.idp.stats.grants.refresh_token ?? 0) - before).toBe(1);

    const socket = await openSocket(b, browser);
    expect(await socket.next()).toMatchObject({ type: 'ready' });
    await stack.bffs[0]!.app.get(NotificationPublisher).toUser('alice', { type: 'notification', data: 'cluster' });
    expect(await socket.next()).toEqual({ type: 'notification', data: 'cluster' });

    const { logoutUrl } = (await (await browser.api(`${a}/auth/user`)).json()) as { logoutUrl: string };
    expect((await browser.fetch(`${a}${logoutUrl}`)).status).toBe(302);
    expect((await socket.closed).code).toBe(4001);
    expect((await browser.api(`${b}/auth/user`)).status).toBe(401);
  });

  it('passes the store contract operations that span keys (indexes, login transactions) on the cluster', async () => {
    const config = testRedisConfig({ url: cluster.url, mode: 'cluster', clusterNodes: cluster.seeds.split(',') });
    const client = createRedisClient(config, 'test-cluster-store');
    await connectRedis(client, config);
    try {
      const store = new RedisSessionStore(client);
      const ids = ['cluster-a', 'cluster-b', 'cluster-c'];
      for (const id of ids)
        await store.create(id, `sealed-${id}`, 60_000, { sub: 'cluster-user', sid: 'cluster-sid' }, 60_000);
      expect((await store.idsBySub('cluster-user')).sort()).toEqual(ids);
      await store.delete('cluster-b', { sub: 'cluster-user', sid: 'cluster-sid' });
      expect((await store.idsBySid('cluster-sid')).sort()).toEqual(['cluster-a', 'cluster-c']);
      const logins = new RedisLoginTransactionStore(client);
      await logins.put('cluster-state', 'tx', 60_000);
      expect(await logins.take('cluster-state')).toBe('tx');
      expect(await logins.take('cluster-state')).toBeNull();
    } finally {
      await client.quit();
    }
  });
});

describe('through Redis Sentinel', () => {
  it('finds the master by name and serves sessions from it', async () => {
    const master = await PrivateRedis.start();
    const sentinel = await PrivateSentinel.start(master);
    const stack = await startStack({
      env: {
        // Only the credentials and db of REDIS_URL are used in sentinel mode; the address comes from Sentinel.
        REDIS_URL: 'redis://sentinel-resolves-this:6379/0',
        REDIS_MODE: 'sentinel',
        REDIS_SENTINELS: `127.0.0.1:${String(sentinel.port)}`,
        REDIS_SENTINEL_NAME: 'mymaster',
      },
    });
    try {
      const browser = new BrowserClient();
      await browser.login(stack.url);
      expect((await browser.api(`${stack.url}/auth/user`)).status).toBe(200);
      const client = createRedisClient(testRedisConfig({ url: master.url }), 'test-sentinel-check');
      await connectRedis(client, testRedisConfig({ url: master.url }));
      try {
        const id = (browser.cookie('__Host-bff') ?? '').split('.')[1] ?? '';
        expect(await client.exists(`bff:session:{${id}}`)).toBe(1);
      } finally {
        await client.quit();
      }
    } finally {
      await stack.close();
      await sentinel.stop();
      await master.stop();
    }
  }, 30_000);
});
