import { Global, Logger, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { RedisConfig } from '@bff/config';
import { BffMetrics } from '@bff/metrics';
import { ClusterModule } from './cluster.module';
import { MemorySingleUseGuard } from './memory-single-use-guard';
import { InProcessMessageBus, MESSAGE_BUS, type MessageBus } from './message-bus';
import { REDIS_CLIENT } from './redis-connection';
import { SINGLE_USE_GUARD } from './single-use-guard';

/** What the app's global config and metrics modules give ClusterModule, with REDIS_URL unset. */
@Global()
@Module({
  providers: [
    { provide: RedisConfig, useValue: new RedisConfig() },
    { provide: BffMetrics, useValue: new BffMetrics() },
  ],
  exports: [RedisConfig, BffMetrics],
})
class WithoutRedis {}

describe('ClusterModule without REDIS_URL', () => {
  it('serves one instance in process and warns that nothing is shared', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const moduleRef = await Test.createTestingModule({ imports: [WithoutRedis, ClusterModule] }).compile();
    try {
      expect(moduleRef.get(REDIS_CLIENT)).toBeNull();
      expect(moduleRef.get(SINGLE_USE_GUARD)).toBeInstanceOf(MemorySingleUseGuard);
      const bus = moduleRef.get<MessageBus>(MESSAGE_BUS);
      expect(bus).toBeInstanceOf(InProcessMessageBus);
      const received = new Promise((resolve) => void bus.subscribe('c', resolve));
      await bus.publish('c', 'hello');
      expect(await received).toBe('hello');
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^REDIS_URL is not set: .*one development instance/));
    } finally {
      await moduleRef.close();
      warn.mockRestore();
    }
  });
});
