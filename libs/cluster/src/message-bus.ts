import { Logger } from '@nestjs/common';

/** Called with each message published on a subscribed channel. */
export type MessageHandler = (message: string, channel: string) => void;

/** Counts messages crossing the bus (bff_pubsub_messages_total). */
export interface BusCounter {
  inc(labels: { direction: 'in' | 'out' }): void;
}

/** Injection token of the {@link MessageBus}. */
export const MESSAGE_BUS = Symbol('MESSAGE_BUS');

/**
 * Publish/subscribe between BFF instances: Redis pub/sub when Redis is
 * configured, in-process otherwise. Delivery is at most once and only to
 * instances subscribed at publish time, which suits cache invalidation and
 * notifications; nothing durable goes through it.
 */
export interface MessageBus {
  publish(channel: string, message: string): Promise<void>;
  /** Subscribes a handler; the returned function removes it (the channel is left when its last handler goes). */
  subscribe(channel: string, handler: MessageHandler): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** Keeps handlers per channel and tells the transport when a channel gains its first or loses its last one. */
export class HandlerRegistry {
  private readonly handlers = new Map<string, Set<MessageHandler>>();

  /**
   * Returns true when this is the channel's first handler. Callers pass a
   * handler object of their own per subscription (see {@link subscriptionHandler}),
   * so subscribing the same function twice gives two independent subscriptions.
   */
  add(channel: string, handler: MessageHandler): boolean {
    const set = this.handlers.get(channel);
    if (set) {
      set.add(handler);
      return false;
    }
    this.handlers.set(channel, new Set([handler]));
    return true;
  }

  /** Returns true when the channel has no handler left. */
  remove(channel: string, handler: MessageHandler): boolean {
    const set = this.handlers.get(channel);
    if (!set?.delete(handler)) return false;
    if (set.size > 0) return false;
    this.handlers.delete(channel);
    return true;
  }

  /** Calls every handler of the channel; one that throws does not keep the message from the others. */
  deliver(channel: string, message: string, onError: (error: unknown) => void): void {
    for (const handler of this.handlers.get(channel) ?? []) {
      try {
        handler(message, channel);
      } catch (error) {
        onError(error);
      }
    }
  }

  get channels(): string[] {
    return [...this.handlers.keys()];
  }
}

/** A distinct handler per subscription, so that unsubscribing one never removes another. */
export function subscriptionHandler(handler: MessageHandler): MessageHandler {
  return (message, channel) => {
    handler(message, channel);
  };
}

/** The bus of a single instance without Redis: delivery is asynchronous, as over the network. */
export class InProcessMessageBus implements MessageBus {
  private readonly logger = new Logger(InProcessMessageBus.name);
  private readonly registry = new HandlerRegistry();

  constructor(private readonly counter?: BusCounter) {}

  publish(channel: string, message: string): Promise<void> {
    this.counter?.inc({ direction: 'out' });
    setImmediate(() => {
      this.counter?.inc({ direction: 'in' });
      this.registry.deliver(channel, message, (error) => {
        this.logger.error(`handler for ${channel} failed: ${(error as Error).message}`);
      });
    });
    return Promise.resolve();
  }

  subscribe(channel: string, handler: MessageHandler): Promise<() => Promise<void>> {
    const own = subscriptionHandler(handler);
    this.registry.add(channel, own);
    return Promise.resolve(() => {
      this.registry.remove(channel, own);
      return Promise.resolve();
    });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
