import { InProcessMessageBus } from '@bff/cluster';
import { userChannel } from './frames';
import { NotificationPublisher } from './notification-publisher';
import { ReservedFrameTypeError } from './realtime.errors';

describe('NotificationPublisher', () => {
  it.each(['ready', 'pong', 'error'])(
    'refuses the gateway’s own "%s" type on every channel and publishes nothing',
    async (type) => {
      const bus = new InProcessMessageBus();
      const published: string[] = [];
      await bus.subscribe(userChannel('alice'), (message) => published.push(message));
      const publisher = new NotificationPublisher(bus);
      await expect(publisher.toUser('alice', { type })).rejects.toBeInstanceOf(ReservedFrameTypeError);
      await expect(publisher.toSession('x'.repeat(43), { type })).rejects.toMatchObject({
        code: 'invalid_publish',
        status: 400,
      });
      await expect(publisher.broadcast({ type })).rejects.toBeInstanceOf(ReservedFrameTypeError);
      await publisher.toUser('alice', { type: 'notification', data: 1 });
      // The bus delivers on a later turn, in publish order: anything refused-but-sent would show first.
      await new Promise((resolve) => setImmediate(resolve));
      expect(published).toEqual(['{"type":"notification","data":1}']);
    },
  );
});
