import { Duplex } from 'node:stream';
import { SessionRequiredError } from '@bff/errors';
import { TooManySocketsError } from './realtime.errors';
import { invalidUpgradeFrom, refuseUpgrade } from './upgrade-refusal';

/** A socket that keeps what is written to it and tells when it was destroyed. */
function recordingSocket(): { socket: Duplex; written: () => string; destroyed: Promise<void> } {
  const chunks: Buffer[] = [];
  const socket = new Duplex({
    read: () => undefined,
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  const destroyed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, written: () => Buffer.concat(chunks).toString('utf8'), destroyed };
}

function parse(raw: string): { status: string; headers: Record<string, string>; body: unknown } {
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  const [status = '', ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(
    lines.map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]),
  );
  return { status, headers, body: JSON.parse(body) as unknown };
}

describe('refuseUpgrade', () => {
  it('answers a typed error with its status, the JSON body and the baseline headers, then closes', async () => {
    const { socket, written, destroyed } = recordingSocket();
    refuseUpgrade(socket, new TooManySocketsError(3));
    await destroyed;
    const answer = parse(written());
    expect(answer.status).toBe('HTTP/1.1 429 Too Many Requests');
    expect(answer.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      'content-type': 'application/json; charset=utf-8',
      connection: 'close',
    });
    expect(answer.body).toEqual({ error: 'too_many_sockets', message: expect.stringContaining('3') });
  });

  it('answers an unexpected error as a bare 500, without its message', async () => {
    const { socket, written, destroyed } = recordingSocket();
    refuseUpgrade(socket, new Error('redis password is hunter2'));
    await destroyed;
    expect(written()).not.toContain('hunter2');
    expect(parse(written())).toMatchObject({
      status: 'HTTP/1.1 500 Internal Server Error',
      body: { error: 'internal_error', message: expect.any(String) },
    });
  });

  it('renders the shared SessionRequiredError as 401 session_required', async () => {
    const { socket, written, destroyed } = recordingSocket();
    refuseUpgrade(socket, new SessionRequiredError());
    await destroyed;
    expect(parse(written())).toMatchObject({
      status: 'HTTP/1.1 401 Unauthorized',
      body: { error: 'session_required' },
    });
  });

  it('writes nothing to a socket the peer already destroyed', () => {
    const { socket, written } = recordingSocket();
    socket.destroy();
    refuseUpgrade(socket, new SessionRequiredError());
    expect(written()).toBe('');
  });
});

describe('invalidUpgradeFrom (ws passes only its message to wsClientError)', () => {
  it('maps a non-GET to 405 with Allow: GET', () => {
    const error = invalidUpgradeFrom(new Error('Invalid HTTP method'));
    expect([error.status, error.code, error.headers]).toEqual([405, 'invalid_upgrade', { allow: 'GET' }]);
  });

  it('names the supported versions when the version is missing or wrong', () => {
    const error = invalidUpgradeFrom(new Error('Missing or invalid Sec-WebSocket-Version header'));
    expect([error.status, error.headers]).toEqual([400, { 'sec-websocket-version': '13, 8' }]);
  });

  it('maps any other handshake error to a plain 400', () => {
    const error = invalidUpgradeFrom(new Error('Missing or invalid Sec-WebSocket-Key header'));
    expect([error.status, error.code, error.headers]).toEqual([400, 'invalid_upgrade', {}]);
    expect(error.message).toContain('Sec-WebSocket-Key');
  });
});
