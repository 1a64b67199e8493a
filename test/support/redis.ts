import { RedisConfig } from '@bff/config';

/** The real Redis every integration and e2e test talks to. */
export function testRedisUrl(): string {
  return process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/** A RedisConfig as loadConfig would build it, pointed at the test Redis unless overridden. */
export function testRedisConfig(overrides: Partial<RedisConfig> = {}): RedisConfig {
  return Object.assign(
    new RedisConfig(),
    { url: testRedisUrl(), commandTimeoutMs: 1000, connectTimeoutMs: 1000 },
    overrides,
  );
}
