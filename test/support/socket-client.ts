import WebSocket from 'ws';
import { BrowserClient } from './browser-client';

/** What a test can observe of one WebSocket. */
export interface TestSocket {
  socket: WebSocket;
  /** The next frame not yet taken, parsed. */
  next(timeoutMs?: number): Promise<{ type: string; data?: unknown }>;
  /** Resolves with the close code and reason. */
  closed: Promise<{ code: number; reason: string }>;
}

/** Opens `/ws` as a browser tab would: the browser's cookies and an Origin header. Rejects with the HTTP status if refused. */
export function openSocket(
  bffUrl: string,
  browser: BrowserClient | undefined,
  options: { origin?: string | null; autoPong?: boolean } = {},
): Promise<TestSocket> {
  const headers: Record<string, string> = {};
  const origin = options.origin === undefined ? new URL(bffUrl).origin : options.origin;
  if (origin !== null) headers.origin = origin;
  const cookie = browser?.jar.header();
  if (cookie) headers.cookie = cookie;
  const socket = new WebSocket(`${bffUrl.replace(/^http/, 'ws')}/ws`, { headers, autoPong: options.autoPong ?? true });
  const queue: { type: string; data?: unknown }[] = [];
  const waiters: ((frame: { type: string; data?: unknown }) => void)[] = [];
  socket.on('message', (data: Buffer) => {
    const frame = JSON.parse(data.toString('utf8')) as { type: string; data?: unknown };
    const waiter = waiters.shift();
    if (waiter) waiter(frame);
    else queue.push(frame);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.on('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
    });
  });
  return new Promise((resolve, reject) => {
    socket.once('open', () => {
      resolve({
        socket,
        closed,
        next: (timeoutMs = 3000) =>
          new Promise((resolveFrame, rejectFrame) => {
            const queued = queue.shift();
            if (queued) {
              resolveFrame(queued);
              return;
            }
            const timer = setTimeout(() => {
              rejectFrame(new Error(`no frame within ${String(timeoutMs)} ms`));
            }, timeoutMs);
            waiters.push((frame) => {
              clearTimeout(timer);
              resolveFrame(frame);
            });
          }),
      });
    });
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => {
        reject(
          Object.assign(new Error(`upgrade refused: ${String(response.statusCode)}`), {
            status: response.statusCode,
            body,
          }),
        );
      });
    });
    socket.once('error', (error) => {
      reject(error);
    });
  });
}

/** A browser logged in as `user` (password = user name, as the dev IdP's demo users). */
export async function loggedIn(url: string, user = 'alice'): Promise<BrowserClient> {
  const browser = new BrowserClient();
  await browser.login(url, user, user);
  return browser;
}

/** Opens a socket and waits for the server's `ready` frame (its channels are subscribed from then on). */
export async function readySocket(
  url: string,
  browser: BrowserClient,
  options: Parameters<typeof openSocket>[2] = {},
): Promise<TestSocket> {
  const socket = await openSocket(url, browser, options);
  expect(await socket.next()).toEqual({ type: 'ready', data: { sub: expect.any(String) } });
  return socket;
}

/** Resolves with the HTTP status and JSON body of a refused upgrade; fails if it was accepted. */
export async function refusal(promise: Promise<TestSocket>): Promise<{ status: number; body: unknown }> {
  try {
    const socket = await promise;
    socket.socket.close();
  } catch (error) {
    const { status, body } = error as { status: number; body: string };
    return { status, body: JSON.parse(body) as unknown };
  }
  throw new Error('the upgrade was accepted');
}
