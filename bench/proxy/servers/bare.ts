/** The baseline proxy: fastify 5 + @fastify/reply-from and nothing else (no session, cookies or header rewriting). */
import type { AddressInfo } from 'node:net';
import replyFrom from '@fastify/reply-from';
import Fastify from 'fastify';
import { ROUTE } from '../../common/proxied-get';
import { serve } from '../../common/serve';
import { roleArgs } from '../protocol';

/**
 * The same undici pool settings as libs/proxy's per-route pool, so that the bare proxy
 * and the BFF differ only in what the BFF does per request, not in upstream pooling.
 */
const UPSTREAM_POOL = { connections: 128, pipelining: 1, keepAliveTimeout: 60_000 };

serve(async () => {
  const { upstream } = roleArgs('bare');
  const app = Fastify({ logger: false });
  await app.register(replyFrom, { base: upstream, undici: UPSTREAM_POOL, disableRequestLogging: true });
  const prefix = `/api/${ROUTE}`;
  app.get(`${prefix}/*`, (request, reply) => {
    void reply.from(request.url.slice(prefix.length));
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${String(port)}`, close: () => app.close() };
});
