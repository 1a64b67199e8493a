import { connect } from 'node:net';
import { BrowserClient } from '../support/browser-client';
import { startStack, type Stack } from '../support/bff-stack';
import { openSocket, type TestSocket } from '../support/socket-client';

const CAP = 2;

/** What came back on the wire, headers in order with lower-cased names, so a duplicate shows. */
interface RawAnswer {
  status: number;
  headers: [string, string][];
  body: string;
}

interface Handshake {
  method?: string;
  path?: string;
  host?: string;
  origin?: string;
  cookie?: string;
  upgrade?: string;
  key?: string;
  version?: string;
}

/** Sends an upgrade request byte for byte (a WebSocket client would refuse to send a malformed one) and reads to EOF. */
function rawUpgrade(url: string, handshake: Handshake): Promise<RawAnswer> {
  const { port, host, origin } = new URL(url);
  const fields: [string, string | undefined][] = [
    ['Host', handshake.host ?? host],
    ['Connection', 'Upgrade'],
    ['Upgrade', handshake.upgrade ?? 'websocket'],
    ['Sec-WebSocket-Key', 'key' in handshake ? handshake.key : 'dGhlIHNhbXBsZSBub25jZQ=='],
    ['Sec-WebSocket-Version', 'version' in handshake ? handshake.version : '13'],
    ['Origin', 'origin' in handshake ? handshake.origin : origin],
    ['Cookie', handshake.cookie],
  ];
  const head = [
    `${handshake.method ?? 'GET'} ${handshake.path ?? '/ws'} HTTP/1.1`,
    ...fields.flatMap(([name, value]) => (value === undefined ? [] : [`${name}: ${value}`])),
  ];
  return new Promise((resolve, reject) => {
    let data = '';
    const socket = connect({ host: 'localhost', port: Number(port) }, () => {
      socket.write(`${head.join('\r\n')}\r\n\r\n`);
    });
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (data += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const end = data.indexOf('\r\n\r\n');
      const [statusLine = '', ...lines] = data.slice(0, Math.max(end, 0)).split('\r\n');
      resolve({
        status: Number(statusLine.split(' ')[1] ?? 0),
        headers: lines.map((line) => {
          const colon = line.indexOf(':');
          return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
        }),
        body: end < 0 ? data : data.slice(end + 4),
      });
    });
  });
}

/** The contract of every HTTP answer of the BFF, for an error. */
function expectErrorContract(answer: RawAnswer, status: number, error: string): void {
  expect(answer.status).toBe(status);
  const names = answer.headers.map(([name]) => name);
  // Each once: ws's own Content-Type next to ours would let a client pick either.
  expect(names).toEqual([...new Set(names)]);
  const header = (name: string) => answer.headers.find(([candidate]) => candidate === name)?.[1];
  expect(header('x-content-type-options')).toBe('nosniff');
  expect(header('referrer-policy')).toBe('no-referrer');
  expect(header('cache-control')).toBe('no-store');
  expect(header('content-type')).toMatch(/^application\/json(;|$)/);
  expect(Number(header('content-length'))).toBe(Buffer.byteLength(answer.body));
  expect(JSON.parse(answer.body)).toEqual({ error, message: expect.any(String) });
}

const headerOf = (answer: RawAnswer, name: string) => answer.headers.find(([candidate]) => candidate === name)?.[1];

describe('refused WebSocket upgrades answer like every other error of the BFF', () => {
  let stack: Stack;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    stack = await startStack({ env: { BFF_WS_MAX_SOCKETS_PER_SESSION: String(CAP) } });
  });
  afterEach(() => {
    for (const { socket } of sockets.splice(0)) socket.terminate();
  });
  afterAll(async () => {
    await stack.close();
  });

  it('403 for a foreign Origin', async () => {
    expectErrorContract(await rawUpgrade(stack.url, { origin: 'https://evil.example' }), 403, 'origin_not_allowed');
    expectErrorContract(await rawUpgrade(stack.url, { origin: undefined }), 403, 'origin_not_allowed');
  });

  it('401 without a session', async () => {
    expectErrorContract(await rawUpgrade(stack.url, {}), 401, 'session_required');
  });

  it('429 for one socket too many', async () => {
    const browser = new BrowserClient();
    await browser.login(stack.url, 'alice', 'alice');
    for (let i = 0; i < CAP; i++) {
      const socket = await openSocket(stack.url, browser);
      sockets.push(socket);
      expect(await socket.next()).toMatchObject({ type: 'ready' });
    }
    expectErrorContract(await rawUpgrade(stack.url, { cookie: browser.jar.header() }), 429, 'too_many_sockets');
  });

  it.each<[string, Handshake]>([
    ['a malformed Sec-WebSocket-Key', { key: 'not-a-key' }],
    ['no Sec-WebSocket-Key', { key: undefined }],
    ['an Upgrade other than websocket', { upgrade: 'h2c' }],
    ['a Host that makes the URL unparsable', { host: 'a b' }],
  ])('400 invalid_upgrade for %s', async (_label, handshake) => {
    expectErrorContract(await rawUpgrade(stack.url, handshake), 400, 'invalid_upgrade');
  });

  it('400 invalid_upgrade for a missing Sec-WebSocket-Version, naming the versions it speaks (RFC 6455 §4.4)', async () => {
    const answer = await rawUpgrade(stack.url, { version: undefined });
    expectErrorContract(answer, 400, 'invalid_upgrade');
    expect(headerOf(answer, 'sec-websocket-version')).toBe('13, 8');
  });

  it('405 invalid_upgrade for a method other than GET, with Allow: GET', async () => {
    const answer = await rawUpgrade(stack.url, { method: 'POST' });
    expectErrorContract(answer, 405, 'invalid_upgrade');
    expect(headerOf(answer, 'allow')).toBe('GET');
  });

  it('still drops an upgrade for another path without an answer', async () => {
    expect(await rawUpgrade(stack.url, { path: '/not-ws' })).toEqual({ status: 0, headers: [], body: '' });
  });
});
