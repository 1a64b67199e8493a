import { Logger } from '@nestjs/common';
import Fastify, { type FastifyInstance } from 'fastify';
import { takeOverLoopbackBindings } from './http-edge';
import { RequestCompletions } from './request-completion';

describe('takeOverLoopbackBindings', () => {
  it('finds where this Fastify keeps its extra loopback servers, and hooks onListen to take them over', async () => {
    const fastify = Fastify();
    const addHook = jest.spyOn(fastify, 'addHook');
    takeOverLoopbackBindings(fastify, new RequestCompletions());
    expect(addHook).toHaveBeenCalledWith('onListen', expect.any(Function));
    await fastify.close();
  });

  it('warns at boot, naming BFF_HOST, when a Fastify keeps them elsewhere', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const addHook = jest.fn();
      takeOverLoopbackBindings({ addHook } as unknown as FastifyInstance, new RequestCompletions());
      expect(addHook).not.toHaveBeenCalled();
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('set BFF_HOST'));
    } finally {
      warn.mockRestore();
    }
  });
});
