import { Inject, Injectable } from '@nestjs/common';
import { MESSAGE_BUS, type MessageBus } from '@bff/session';
import { BROADCAST_CHANNEL, sessionChannel, userChannel, type ServerFrame } from './frames';

/**
 * Publishes notifications to sockets on any instance. Services that speak
 * Redis can do the same directly: `PUBLISH bff:ws:user:<sub> '{"type":…,"data":…}'`.
 */
@Injectable()
export class NotificationPublisher {
  constructor(@Inject(MESSAGE_BUS) private readonly bus: MessageBus) {}

  toUser(sub: string, frame: ServerFrame): Promise<void> {
    return this.publish(userChannel(sub), frame);
  }

  toSession(sessionId: string, frame: ServerFrame): Promise<void> {
    return this.publish(sessionChannel(sessionId), frame);
  }

  broadcast(frame: ServerFrame): Promise<void> {
    return this.publish(BROADCAST_CHANNEL, frame);
  }

  publish(channel: string, frame: ServerFrame): Promise<void> {
    return this.bus.publish(channel, JSON.stringify({ type: frame.type, data: frame.data }));
  }
}
