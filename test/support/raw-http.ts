import { connect, type Socket } from 'node:net';

/** A response read off a raw socket, exactly as the server wrote it. */
export interface RawResponse {
  status: number;
  /** Lower-cased names; repeated headers keep every value. */
  headers: Record<string, string[]>;
  body: string;
}

/** Parses the first HTTP/1.1 response in `text` (header block and the body after it). */
export function parseRawResponse(text: string): RawResponse {
  const end = text.indexOf('\r\n\r\n');
  if (end === -1) throw new Error(`no complete response head in ${JSON.stringify(text.slice(0, 200))}`);
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string[]> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    (headers[name] ??= []).push(line.slice(colon + 1).trim());
  }
  let body = text.slice(end + 4);
  const length = headers['content-length']?.[0];
  if (length !== undefined) body = body.slice(0, Number(length));
  else if (headers['transfer-encoding']?.[0] === 'chunked') body = dechunk(body) ?? body;
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}

/** The payload of a complete chunked body, or undefined while its last chunk has not arrived. */
function dechunk(framed: string): string | undefined {
  let payload = '';
  let offset = 0;
  for (;;) {
    const lineEnd = framed.indexOf('\r\n', offset);
    if (lineEnd === -1) return undefined;
    const size = parseInt(framed.slice(offset, lineEnd), 16);
    if (size === 0) return payload;
    if (framed.length < lineEnd + 2 + size + 2) return undefined;
    payload += framed.slice(lineEnd + 2, lineEnd + 2 + size);
    offset = lineEnd + 2 + size + 2;
  }
}

/** Opens a socket to `host` (127.0.0.1 unless told):port; `close()` ends it whatever state it is in. */
export function rawSocket(port: number, host = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Collects what the server sends until it closes the connection (or `timeoutMs`, then fails). */
export function readUntilClosed(socket: Socket, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open for ${String(timeoutMs)} ms`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
  });
}

/** The first response in `text` once it is complete (head, and as many body bytes as it declares). */
function completeResponse(text: string): RawResponse | undefined {
  const end = text.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  const response = parseRawResponse(text);
  const framed = text.slice(end + 4);
  if (response.headers['transfer-encoding']?.[0] === 'chunked')
    return dechunk(framed) === undefined ? undefined : response;
  const length = response.headers['content-length']?.[0];
  return length === undefined || framed.length >= Number(length) ? response : undefined;
}

/**
 * Sends `request` as written (no normalisation at all) and returns the
 * server's first response, complete by its Content-Length or by the server
 * closing; a response without a length must come with `Connection: close`.
 */
export async function rawRequest(
  port: number,
  request: string,
  timeoutMs = 10_000,
  host = '127.0.0.1',
): Promise<RawResponse> {
  const socket = await rawSocket(port, host);
  return new Promise((resolve, reject) => {
    let text = '';
    let settled = false;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete response within ${String(timeoutMs)} ms: ${JSON.stringify(text.slice(0, 200))}`));
    }, timeoutMs);
    const finish = (response: RawResponse): void => {
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(response);
    };
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      const response = completeResponse(text);
      if (response) finish(response);
    });
    socket.on('error', () => undefined);
    socket.once('close', () => {
      if (settled) return;
      try {
        finish(parseRawResponse(text));
      } catch (error) {
        settled = true;
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    socket.write(request);
  });
}

/**
 * A client that sends its headers, then a chunked body one byte every
 * `intervalMs`, never finishing, until the server closes the connection.
 * Resolves with what the server answered (possibly nothing).
 */
export async function trickleUpload(
  port: number,
  head: string,
  intervalMs: number,
): Promise<{ socket: Socket; answer: Promise<string> }> {
  const socket = await rawSocket(port);
  const answer = readUntilClosed(socket, 60_000);
  socket.write(head);
  const timer = setInterval(() => {
    if (socket.writable) socket.write('1\r\nx\r\n');
  }, intervalMs);
  socket.once('close', () => clearInterval(timer));
  return { socket, answer };
}

/** The contract's error answer: JSON `{ error, message }` with the headers every answer carries. */
export function expectContractError(response: RawResponse, status: number, error: string): void {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']?.[0]).toMatch(/^application\/json/);
  expect(response.headers['x-content-type-options']).toEqual(['nosniff']);
  expect(response.headers['referrer-policy']).toEqual(['no-referrer']);
  expect(response.headers['x-request-id']?.[0]).toMatch(/\S/);
  expect(JSON.parse(response.body)).toEqual({ error, message: expect.any(String) });
}
