import { createServer, type IncomingMessage } from 'node:http';
import { Duplex } from 'node:stream';
import { Logger, type INestApplicationContext } from '@nestjs/common';
import { RealtimeConfig } from '@bff/config';
import type { OpenedSession } from '@bff/session';
import { BffWsAdapter } from './bff-ws.adapter';
import type { UpgradeAuthenticator } from './upgrade-authenticator';

/** A client connection that keeps what the server writes, and resolves once the server has closed it. */
function connection(): { socket: Duplex; written: () => string; closed: Promise<void> } {
  const chunks: Buffer[] = [];
  const socket = new Duplex({
    read: () => undefined,
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, written: () => Buffer.concat(chunks).toString('utf8'), closed };
}

function handshake(socket: Duplex, headers: Record<string, string> = {}): IncomingMessage {
  return {
    method: 'GET',
    url: '/ws',
    headers: {
      host: 'bff.example',
      connection: 'Upgrade',
      upgrade: 'websocket',
      'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      'sec-websocket-version': '13',
      ...headers,
    },
    socket,
  } as unknown as IncomingMessage;
}

describe('BffWsAdapter refusals', () => {
  let verify: jest.Mock<Promise<OpenedSession>, [IncomingMessage]>;
  let adapter: BffWsAdapter;
  let wsServer: unknown;
  const http = createServer();
  const send = (socket: Duplex, headers?: Record<string, string>) => {
    http.emit('upgrade', handshake(socket, headers), socket, Buffer.alloc(0));
  };

  beforeAll(() => {
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterAll(() => {
    jest.restoreAllMocks();
  });
  beforeEach(() => {
    verify = jest.fn();
    adapter = new BffWsAdapter(
      http as unknown as INestApplicationContext,
      { verify } as unknown as UpgradeAuthenticator,
      new RealtimeConfig(),
    );
    wsServer = adapter.create(0, { path: '/ws' });
  });
  afterEach(async () => {
    await adapter.dispose();
  });

  it('answers a failure of the check itself with a JSON 500 that hides the cause', async () => {
    verify.mockRejectedValue(new Error('ECONNRESET from 10.0.0.7'));
    const { socket, written, closed } = connection();
    send(socket);
    await closed;
    expect(written()).toMatch(/^HTTP\/1\.1 500 Internal Server Error\r\n/);
    expect(written()).toContain('\r\nx-content-type-options: nosniff\r\n');
    expect(written()).toContain('"error":"internal_error"');
    expect(written()).not.toContain('10.0.0.7');
  });

  it('answers an upgrade verified while the server closes with a JSON 503, not ws’s text/html one', async () => {
    let pass: (session: OpenedSession) => void = () => undefined;
    verify.mockReturnValue(new Promise((resolve) => (pass = resolve)));
    const { socket, written, closed } = connection();
    send(socket);
    await adapter.close(wsServer);
    pass({} as OpenedSession);
    await closed;
    expect(written()).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
    expect(written()).toContain('\r\ncontent-type: application/json; charset=utf-8\r\n');
    expect(written()).not.toContain('text/html');
    expect(written()).toContain('"error":"shutting_down"');
  });

  it('answers a Host that Nest cannot build a URL from with a JSON 400, before any check', async () => {
    const { socket, written, closed } = connection();
    send(socket, { host: 'a b' });
    await closed;
    expect(written()).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(written()).toContain('"error":"invalid_upgrade"');
    expect(verify).not.toHaveBeenCalled();
  });

  it('takes its upgrade listener off the server when disposed', async () => {
    expect(http.listenerCount('upgrade')).toBe(1);
    await adapter.dispose();
    expect(http.listenerCount('upgrade')).toBe(0);
  });
});
