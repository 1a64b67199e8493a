import { EventEmitter } from 'node:events';
import { whenClosed, whenUndelivered, type ClosingResponse } from './response-delivery';

/** A response whose outcome the test decides, closing the way Node's ServerResponse does. */
class FakeResponse extends EventEmitter implements ClosingResponse {
  statusCode = 200;
  writableFinished = false;
  closed = false;

  finish(status: number): void {
    this.statusCode = status;
    this.writableFinished = true;
    this.closed = true;
    this.emit('close');
  }

  abort(): void {
    this.closed = true;
    this.emit('close');
  }
}

describe('whenUndelivered', () => {
  it('does nothing when the response went out in full with the expected status', () => {
    const response = new FakeResponse();
    const undelivered = jest.fn();
    whenUndelivered(response, 302, undelivered);
    response.finish(302);
    expect(undelivered).not.toHaveBeenCalled();
  });

  it.each([500, 400, 200])('fires when a %i went out instead', (status) => {
    const response = new FakeResponse();
    const undelivered = jest.fn();
    whenUndelivered(response, 302, undelivered);
    response.finish(status);
    expect(undelivered).toHaveBeenCalledTimes(1);
  });

  it('fires when the connection closed before the response was written', () => {
    const response = new FakeResponse();
    response.statusCode = 302;
    const undelivered = jest.fn();
    whenUndelivered(response, 302, undelivered);
    response.abort();
    expect(undelivered).toHaveBeenCalledTimes(1);
  });

  it('fires at once when the client went away before the session existed (the close event has passed)', () => {
    const response = new FakeResponse();
    response.statusCode = 302;
    response.abort();
    const undelivered = jest.fn();
    whenUndelivered(response, 302, undelivered);
    expect(undelivered).toHaveBeenCalledTimes(1);
  });

  it('waits for the close: nothing fires while the response is in flight', () => {
    const response = new FakeResponse();
    const undelivered = jest.fn();
    whenUndelivered(response, 302, undelivered);
    expect(undelivered).not.toHaveBeenCalled();
    response.abort();
    response.abort();
    expect(undelivered).toHaveBeenCalledTimes(1);
  });
});

describe('whenClosed', () => {
  it.each([
    ['written in full', (response: FakeResponse) => response.finish(302)],
    ['abandoned by the client', (response: FakeResponse) => response.abort()],
  ])('fires once the response closed, %s, and not before', (_case, close) => {
    const response = new FakeResponse();
    const then = jest.fn();
    whenClosed(response, then);
    expect(then).not.toHaveBeenCalled();
    close(response);
    expect(then).toHaveBeenCalledTimes(1);
  });

  it('fires at once for a response that already closed', () => {
    const response = new FakeResponse();
    response.finish(302);
    const then = jest.fn();
    whenClosed(response, then);
    expect(then).toHaveBeenCalledTimes(1);
  });
});
