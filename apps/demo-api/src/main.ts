import pino from 'pino';
import { bffInternalPublisher, createDemoApi, redisPublisher } from './index';

// The demo API is a stand-alone demo process, so it reads its few settings here.
const env = process.env;
const logger = pino({ name: 'demo-api' });

async function main(): Promise<void> {
  const redisUrl = env.REDIS_URL;
  const bffUrl = env.BFF_INTERNAL_URL ?? 'http://localhost:3000';
  const publisher = redisUrl
    ? redisPublisher(redisUrl)
    : bffInternalPublisher(bffUrl, env.BFF_INTERNAL_TOKEN ?? 'demo-internal-token-change-me');

  const api = await createDemoApi({
    port: readPort(env.DEMO_API_PORT ?? '4001'),
    host: env.DEMO_API_HOST ?? '127.0.0.1',
    issuer: env.OIDC_ISSUER ?? 'http://localhost:4000',
    audience: env.DEMO_API_AUDIENCE ?? 'http://localhost:4001',
    publisher,
    dpop: {
      requireNonce: readBoolean('DEMO_API_DPOP_NONCE', env.DEMO_API_DPOP_NONCE ?? 'false'),
      publicOrigin: env.DEMO_API_PUBLIC_ORIGIN,
    },
    logger,
  });
  // The Redis URL may carry a password, so only the publisher kind is logged.
  logger.info(
    {
      url: api.url,
      publisher: redisUrl ? 'redis' : `bff-internal ${bffUrl}`,
      dpopNonce: api.dpop.nonce() !== undefined,
      publicOrigin: env.DEMO_API_PUBLIC_ORIGIN ?? 'http://<Host header>',
    },
    'demo API listening',
  );

  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'demo API closing');
    setTimeout(() => process.exit(1), 10_000).unref();
    api.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ error: String(err) }, 'demo API close failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

function readBoolean(name: string, value: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new RangeError(`${name} must be true or false, got "${value}"`);
}

function readPort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`DEMO_API_PORT must be a port number (0-65535), got "${value}"`);
  }
  return port;
}

process.on('unhandledRejection', (reason) => {
  logger.error({ error: String(reason) }, 'unhandled rejection');
});

main().catch((err: unknown) => {
  logger.fatal({ error: String(err) }, 'demo API failed to start');
  process.exit(1);
});
