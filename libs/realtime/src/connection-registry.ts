import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { MESSAGE_BUS, type MessageBus } from '@bff/cluster';
import { BffMetrics } from '@bff/metrics';
import { SESSION_ENDED_CHANNEL } from '@bff/session';
import type { ClientConnection } from './client-connection';
import { BROADCAST_CHANNEL, CloseCode, isReservedFrameType, parseFrame, sessionChannel, userChannel } from './frames';

/** Sends per event-loop turn; bench:ws saw a 16k-socket broadcast block the loop for ~200 ms when sent at once. */
const SENDS_PER_TURN = 1000;

interface Delivery {
  message: string;
  targets: ClientConnection[];
  next: number;
}

/**
 * Delivers frames in slices so that a broadcast to many sockets leaves the
 * event loop free for HTTP in between, and strictly first-in first-out so
 * that every socket still sees frames in the order they were published.
 */
class Outbox {
  private readonly queue: Delivery[] = [];

  enqueue(message: string, targets: Iterable<ClientConnection>): void {
    this.queue.push({ message, targets: [...targets], next: 0 });
    if (this.queue.length === 1) this.drain();
  }

  private readonly drain = (): void => {
    let budget = SENDS_PER_TURN;
    while (budget > 0) {
      const delivery = this.queue[0];
      if (!delivery) return;
      const end = Math.min(delivery.targets.length, delivery.next + budget);
      for (const connection of delivery.targets.slice(delivery.next, end)) connection.send(delivery.message);
      budget -= end - delivery.next;
      delivery.next = end;
      if (delivery.next === delivery.targets.length) this.queue.shift();
    }
    // A drain is pending exactly while the queue is not empty, so enqueue never starts a second one.
    if (this.queue.length > 0) setImmediate(this.drain);
  };
}

/**
 * The sockets of this instance by session and by user (many tabs, many
 * devices), and the pub/sub subscriptions that feed them: a channel is
 * subscribed while at least one local socket needs it. Each instance delivers
 * to its own sockets only, each matching socket once.
 */
@Injectable()
export class ConnectionRegistry implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ConnectionRegistry.name);
  private readonly all = new Set<ClientConnection>();
  private readonly bySession = new Map<string, Set<ClientConnection>>();
  private readonly byUser = new Map<string, Set<ClientConnection>>();
  private readonly subscriptions = new Map<string, Promise<() => Promise<void>>>();
  private readonly fixed: (() => Promise<void>)[] = [];
  private readonly outbox = new Outbox();

  constructor(
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
    private readonly metrics: BffMetrics,
  ) {}

  async onModuleInit(): Promise<void> {
    this.fixed.push(await this.bus.subscribe(BROADCAST_CHANNEL, this.deliver));
    this.fixed.push(
      await this.bus.subscribe(SESSION_ENDED_CHANNEL, (sessionId) => {
        this.closeSession(sessionId, CloseCode.SessionEnded, 'session ended');
      }),
    );
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.fixed.map((unsubscribe) => unsubscribe()));
  }

  get size(): number {
    return this.all.size;
  }

  /** Registers a socket and resolves once its channels are subscribed, so nothing published afterwards is missed. */
  async add(connection: ClientConnection): Promise<void> {
    this.all.add(connection);
    this.metrics.websocketConnections.set(this.all.size);
    await Promise.all([
      this.join(this.bySession, connection.sessionId, sessionChannel(connection.sessionId), connection),
      this.join(this.byUser, connection.sub, userChannel(connection.sub), connection),
    ]);
  }

  /** Forgets a socket; safe to call more than once, on every close path. */
  async remove(connection: ClientConnection): Promise<void> {
    if (!this.all.delete(connection)) return;
    this.metrics.websocketConnections.set(this.all.size);
    await Promise.all([
      this.leave(this.bySession, connection.sessionId, sessionChannel(connection.sessionId), connection),
      this.leave(this.byUser, connection.sub, userChannel(connection.sub), connection),
    ]);
  }

  /** The distinct sessions with sockets here. */
  sessionIds(): string[] {
    return [...this.bySession.keys()];
  }

  connectionsOf(sessionId: string): ClientConnection[] {
    return [...(this.bySession.get(sessionId) ?? [])];
  }

  closeSession(sessionId: string, code: number, reason: string): void {
    for (const connection of this.bySession.get(sessionId) ?? []) connection.close(code, reason);
  }

  closeAll(code: number, reason: string): void {
    for (const connection of this.all) connection.close(code, reason);
  }

  forEach(visit: (connection: ClientConnection) => void): void {
    for (const connection of this.all) visit(connection);
  }

  private readonly deliver = (message: string, channel: string): void => {
    const frame = parseFrame(message);
    // Only the channel's kind is logged: the rest names a user or a session, and the message is their data.
    const kind = channel.split(':').slice(0, 3).join(':');
    if (!frame) {
      this.logger.warn(`dropped a message on ${kind} that is not a { type, data } frame`);
      return;
    }
    // Publishers that speak Redis bypass NotificationPublisher's check; a forged `ready` or `pong` stops here.
    if (isReservedFrameType(frame.type)) {
      this.logger.warn(`dropped a "${frame.type}" frame on ${kind}: that type is reserved for the gateway`);
      return;
    }
    const targets =
      channel === BROADCAST_CHANNEL
        ? this.all
        : channel.startsWith('bff:ws:user:')
          ? this.byUser.get(channel.slice('bff:ws:user:'.length))
          : this.bySession.get(channel.slice('bff:ws:session:'.length));
    if (targets && targets.size > 0) this.outbox.enqueue(message, targets);
  };

  private async join(
    index: Map<string, Set<ClientConnection>>,
    key: string,
    channel: string,
    connection: ClientConnection,
  ): Promise<void> {
    const set = index.get(key);
    if (set) set.add(connection);
    else index.set(key, new Set([connection]));
    let subscription = this.subscriptions.get(channel);
    if (!subscription) {
      subscription = this.bus.subscribe(channel, this.deliver);
      this.subscriptions.set(channel, subscription);
      subscription.catch(() => this.subscriptions.delete(channel));
    }
    await subscription;
  }

  private async leave(
    index: Map<string, Set<ClientConnection>>,
    key: string,
    channel: string,
    connection: ClientConnection,
  ): Promise<void> {
    const set = index.get(key);
    if (!set?.delete(connection) || set.size > 0) return;
    index.delete(key);
    const subscription = this.subscriptions.get(channel);
    this.subscriptions.delete(channel);
    if (subscription) await (await subscription.catch(() => () => Promise.resolve()))();
  }
}
