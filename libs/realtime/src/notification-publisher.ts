import { Inject, Injectable } from '@nestjs/common';
import { MESSAGE_BUS, type MessageBus } from '@bff/cluster';
import { BROADCAST_CHANNEL, isReservedFrameType, sessionChannel, userChannel, type ServerFrame } from './frames';
import { ReservedFrameTypeError } from './realtime.errors';

/**
 * Publishes notifications to sockets on any instance. Services that speak
 * Redis can do the same directly: `PUBLISH bff:ws:user:<sub> '{"type":…,"data":…}'`.
 * The gateway's own frame types are refused with {@link ReservedFrameTypeError}.
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

  async publish(channel: string, frame: ServerFrame): Promise<void> {
    if (isReservedFrameType(frame.type)) throw new ReservedFrameTypeError(frame.type);
    await this.bus.publish(channel, JSON.stringify({ type: frame.type, data: frame.data }));
  }
}
