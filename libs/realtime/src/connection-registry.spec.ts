import { Logger } from '@nestjs/common';
import { InProcessMessageBus } from '@bff/cluster';
import { BffMetrics } from '@bff/metrics';
import type { ClientConnection } from './client-connection';
import { ConnectionRegistry } from './connection-registry';
import { BROADCAST_CHANNEL, userChannel } from './frames';

/** A stand-in socket owner that records what it was sent (the registry only calls send and close). */
function fakeConnection(sub: string, index: number): ClientConnection & { received: string[] } {
  const received: string[] = [];
  return {
    sessionId: `${sub}-session-${String(index % 3)}`,
    sub,
    received,
    send: (text: string) => received.push(text),
    close: () => undefined,
  } as unknown as ClientConnection & { received: string[] };
}

const settle = async (turns = 20) => {
  for (let turn = 0; turn < turns; turn++) await new Promise((resolve) => setImmediate(resolve));
};

describe('ConnectionRegistry delivery', () => {
  let bus: InProcessMessageBus;
  let registry: ConnectionRegistry;
  beforeEach(async () => {
    bus = new InProcessMessageBus();
    registry = new ConnectionRegistry(bus, new BffMetrics());
    await registry.onModuleInit();
  });

  it('delivers a user frame once to each of that user’s sockets and to nobody else', async () => {
    const alice = [fakeConnection('alice', 0), fakeConnection('alice', 1)];
    const bob = fakeConnection('bob', 0);
    for (const connection of [...alice, bob]) await registry.add(connection);
    await bus.publish(userChannel('alice'), '{"type":"n"}');
    await settle();
    expect(alice.map((c) => c.received)).toEqual([['{"type":"n"}'], ['{"type":"n"}']]);
    expect(bob.received).toEqual([]);
  });

  it('drops published messages that are not frames', async () => {
    const alice = fakeConnection('alice', 0);
    await registry.add(alice);
    await bus.publish(userChannel('alice'), 'not json');
    await settle();
    expect(alice.received).toEqual([]);
  });

  it('drops published frames of the gateway’s own types, logging the type but not the data', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const alice = fakeConnection('alice', 0);
      await registry.add(alice);
      for (const type of ['ready', 'pong', 'error']) {
        await bus.publish(userChannel('alice'), JSON.stringify({ type, data: { secret: 'forged-by-mallory' } }));
      }
      await bus.publish(userChannel('alice'), '{"type":"after"}');
      await settle();
      expect(alice.received).toEqual(['{"type":"after"}']);
      const lines = warn.mock.calls.map(([line]) => String(line));
      expect(lines).toHaveLength(3);
      for (const line of lines) {
        expect(line).toContain('reserved');
        expect(line).not.toMatch(/forged-by-mallory|alice/);
      }
    } finally {
      warn.mockRestore();
    }
  });

  it('spreads a large broadcast over several event-loop turns and keeps every socket’s frames in order', async () => {
    const connections = Array.from({ length: 2500 }, (_, i) => fakeConnection(`user-${String(i % 50)}`, i));
    for (const connection of connections) await registry.add(connection);
    await bus.publish(BROADCAST_CHANNEL, '{"type":"first"}');
    await bus.publish(BROADCAST_CHANNEL, '{"type":"second"}');
    // One turn after delivery starts, only a slice has been sent: the loop was free in between.
    await settle(2);
    const partially = connections.filter((c) => c.received.length > 0).length;
    expect(partially).toBeGreaterThan(0);
    expect(partially).toBeLessThan(connections.length);
    await settle();
    for (const connection of connections)
      expect(connection.received).toEqual(['{"type":"first"}', '{"type":"second"}']);
  });
});
