import { PassThrough } from 'node:stream';
import { answerClientError } from './edge-errors';

/** A socket stand-in that records what is written and whether it was destroyed. */
function fakeSocket(inFlight?: { headersSent: boolean }): { socket: PassThrough; written: () => string } {
  const socket = new PassThrough();
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
  if (inFlight) Object.assign(socket, { _httpMessage: inFlight });
  return { socket, written: () => text };
}

function clientError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(code), { code });
}

describe('answerClientError', () => {
  it.each([
    ['ERR_HTTP_REQUEST_TIMEOUT', 408, 'request_timeout'],
    ['HPE_HEADER_OVERFLOW', 431, 'headers_too_large'],
    ['HPE_INVALID_METHOD', 400, 'bad_request'],
    ['HPE_UNEXPECTED_CONTENT_LENGTH', 400, 'bad_request'],
  ])('answers %s with %i and the contract body and headers', (code, status, error) => {
    const { socket, written } = fakeSocket();
    answerClientError(clientError(code), socket);
    const text = written();
    expect(text.startsWith(`HTTP/1.1 ${String(status)} `)).toBe(true);
    expect(text).toContain('x-content-type-options: nosniff');
    expect(text).toContain('referrer-policy: no-referrer');
    expect(text).toContain('connection: close');
    expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4))).toEqual({ error, message: expect.any(String) });
    expect(socket.destroyed).toBe(true);
  });

  it('writes nothing into a response whose headers already went out, and drops the connection', () => {
    const { socket, written } = fakeSocket({ headersSent: true });
    answerClientError(clientError('HPE_INVALID_CHUNK_SIZE'), socket);
    expect(written()).toBe('');
    expect(socket.destroyed).toBe(true);
  });

  it('returns what it wrote, with the request id it sent, for the access log and the metrics', () => {
    const { socket, written } = fakeSocket();
    const answer = answerClientError(clientError('HPE_HEADER_OVERFLOW'), socket);
    expect(answer).toEqual({ status: 431, reqId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(written()).toContain(`x-request-id: ${answer!.reqId}`);
  });

  it('returns nothing for a request whose response object exists: that response reports itself when it closes', () => {
    const { socket, written } = fakeSocket({ headersSent: false });
    expect(answerClientError(clientError('ERR_HTTP_REQUEST_TIMEOUT'), socket)).toBeUndefined();
    expect(written()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('leaves a reset connection alone', () => {
    const { socket, written } = fakeSocket();
    answerClientError(clientError('ECONNRESET'), socket);
    expect(written()).toBe('');
  });
});
