import { Logger } from '@nestjs/common';
import { SessionStoreUnavailableError } from './cluster.errors';
import {
  HandlerRegistry,
  subscriptionHandler,
  type BusCounter,
  type MessageBus,
  type MessageHandler,
} from './message-bus';
import { closeRedis, type RedisClient } from './redis-connection';

/**
 * Redis pub/sub with one subscriber connection per instance (a connection in
 * subscriber mode can do nothing else). ioredis resubscribes every channel after
 * a reconnect, so delivery resumes by itself when Redis comes back.
 */
export class RedisMessageBus implements MessageBus {
  private readonly logger = new Logger(RedisMessageBus.name);
  private readonly registry = new HandlerRegistry();

  constructor(
    private readonly publisher: RedisClient,
    private readonly subscriber: RedisClient,
    private readonly counter?: BusCounter,
  ) {
    subscriber.on('message', (channel: string, message: string) => {
      this.counter?.inc({ direction: 'in' });
      this.registry.deliver(channel, message, (error) => {
        // One faulty handler must not stop delivery to the others or kill the connection's listener.
        this.logger.error(`handler for ${channel} failed: ${(error as Error).message}`);
      });
    });
  }

  async publish(channel: string, message: string): Promise<void> {
    this.counter?.inc({ direction: 'out' });
    try {
      await this.publisher.publish(channel, message);
    } catch (error) {
      throw new SessionStoreUnavailableError(error);
    }
  }

  async subscribe(channel: string, handler: MessageHandler): Promise<() => Promise<void>> {
    const own = subscriptionHandler(handler);
    if (this.registry.add(channel, own)) {
      try {
        await this.subscriber.subscribe(channel);
      } catch (error) {
        this.registry.remove(channel, own);
        throw new SessionStoreUnavailableError(error);
      }
    }
    return async () => {
      if (this.registry.remove(channel, own) && this.subscriber.status === 'ready') {
        await this.subscriber.unsubscribe(channel).catch(() => undefined);
      }
    };
  }

  async close(): Promise<void> {
    await closeRedis(this.subscriber);
  }
}
