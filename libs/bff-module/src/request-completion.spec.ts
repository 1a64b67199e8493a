import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify';
import { RequestCompletions, type CompletedRequest } from './request-completion';

/** The parts of a ServerResponse the observer reads, settable by the test. */
class FakeResponse extends EventEmitter {
  headersSent = false;
  statusCode = 200;
  writableFinished = false;
  private readonly headers = new Map<string, string>();
  getHeader(name: string): string | undefined {
    return this.headers.get(name);
  }
  setHeader(name: string, value: string): void {
    this.headers.set(name, value);
  }
}

function setUp(): {
  completions: RequestCompletions;
  completed: CompletedRequest[];
  route: (request: IncomingMessage, fastifyRequest: Partial<FastifyRequest>, response?: FakeResponse) => void;
} {
  const completions = new RequestCompletions();
  const completed: CompletedRequest[] = [];
  completions.listen((entry) => completed.push(entry));
  let hook: onRequestHookHandler | undefined;
  completions.registerRouting({
    addHook: (_name: string, handler: onRequestHookHandler) => (hook = handler),
  } as unknown as FastifyInstance);
  const route = (request: IncomingMessage, fastifyRequest: Partial<FastifyRequest>, response?: FakeResponse): void => {
    Reflect.apply(hook!, undefined, [{ ...fastifyRequest, raw: request }, { raw: response }, () => undefined]);
  };
  return { completions, completed, route };
}

describe('RequestCompletions.watch', () => {
  it('reports a finished response once, with the route pattern and id routing gave it', () => {
    const { completions, completed, route } = setUp();
    const request = { method: 'GET', url: '/api/echo/x?code=secret' } as IncomingMessage;
    const response = new FakeResponse();
    completions.watch(request, response as unknown as ServerResponse);
    route(request, { id: 'req-7', routeOptions: { url: '/api/echo/*' } as FastifyRequest['routeOptions'] }, response);
    Object.assign(response, { headersSent: true, statusCode: 201, writableFinished: true });
    response.emit('close');
    expect(completed).toEqual([
      { reqId: 'req-7', method: 'GET', route: '/api/echo/*', status: 201, durationMs: expect.any(Number) },
    ]);
  });

  it('marks a response cut off after its headers as aborted, keeping the status it wrote', () => {
    const { completions, completed } = setUp();
    const response = new FakeResponse();
    response.setHeader('x-request-id', 'edge-id');
    completions.watch({ method: 'GET' } as IncomingMessage, response as unknown as ServerResponse);
    Object.assign(response, { headersSent: true, statusCode: 200 });
    response.emit('close');
    expect(completed).toEqual([
      expect.objectContaining({ reqId: 'edge-id', route: 'unmatched', status: 200, aborted: true }),
    ]);
  });

  it('reports 499, aborted, when the connection closed before any status was written', () => {
    const { completions, completed } = setUp();
    const response = new FakeResponse();
    completions.watch({ method: 'POST' } as IncomingMessage, response as unknown as ServerResponse);
    response.emit('close');
    expect(completed).toEqual([expect.objectContaining({ reqId: '-', method: 'POST', status: 499, aborted: true })]);
  });

  it('watches, from routing, a request that reached Fastify without passing the HTTP edge, once', () => {
    const { completed, route } = setUp();
    const request = { method: 'GET' } as IncomingMessage;
    const response = new FakeResponse();
    route(request, { id: 'req-9', routeOptions: { url: '/health/live' } as FastifyRequest['routeOptions'] }, response);
    Object.assign(response, { headersSent: true, statusCode: 200, writableFinished: true });
    response.emit('close');
    expect(completed).toEqual([expect.objectContaining({ reqId: 'req-9', route: '/health/live', status: 200 })]);
    expect(completed[0]).not.toHaveProperty('aborted');
  });
});
