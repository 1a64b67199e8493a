import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  CLOSED_BEFORE_ANSWER,
  rawCompletion,
  UNKNOWN,
  UNMATCHED_ROUTE,
  type RequestCompletions,
} from './request-completion';

/** The path of the notifications gateway (`@WebSocketGateway` in libs/realtime/src/notifications.gateway.ts). */
const WEBSOCKET_ROUTE = '/ws';

const STATUS_LINE = /^HTTP\/1\.[01] (\d{3})/;

function statusOf(chunk: unknown): number | undefined {
  let head = '';
  if (typeof chunk === 'string') head = chunk.slice(0, 12);
  else if (Buffer.isBuffer(chunk)) head = chunk.toString('latin1', 0, 12);
  const match = STATUS_LINE.exec(head);
  return match ? Number(match[1]) : undefined;
}

/**
 * Calls `seen` with the status of the first thing written on an upgrade's socket, then
 * steps aside. An upgrade has no response object: whoever answers it (ws with 101, the
 * BFF's refusal, Nest's URL check) writes the status line on the socket itself, so the
 * first write is the one place where every answer shows.
 */
function onStatusLine(socket: Duplex, seen: (status: number) => void): void {
  const write = socket.write.bind(socket);
  const end = socket.end.bind(socket);
  const first = (chunk: unknown): void => {
    socket.write = write;
    socket.end = end;
    const status = statusOf(chunk);
    if (status !== undefined) seen(status);
  };
  socket.write = ((...args: Parameters<Duplex['write']>) => {
    first(args[0]);
    return write(...args);
  }) as Duplex['write'];
  socket.end = ((...args: Parameters<Duplex['end']>) => {
    first(typeof args[0] === 'function' ? undefined : args[0]);
    return end(...args);
  }) as Duplex['end'];
}

/**
 * Reports every WebSocket upgrade once: when its status line is written (101, or a
 * refusal), or, if the connection closes before any, as aborted. Listens ahead of the
 * WebSocket adapter, which answers the upgrade.
 */
export function watchUpgrades(
  server: Server,
  completions: RequestCompletions,
  idOf: (request: IncomingMessage) => string,
): void {
  server.prependListener('upgrade', (request: IncomingMessage, socket: Duplex) => {
    const startedAt = performance.now();
    const path = request.url?.split('?', 1)[0];
    const route = path === WEBSOCKET_ROUTE ? WEBSOCKET_ROUTE : UNMATCHED_ROUTE;
    let reported = false;
    const report = (status: number, aborted: boolean): void => {
      if (reported) return;
      reported = true;
      const completed = rawCompletion(idOf(request), request.method ?? UNKNOWN, route, status, startedAt);
      if (aborted) completed.aborted = true;
      completions.report(completed, request);
    };
    onStatusLine(socket, (status) => {
      report(status, false);
    });
    socket.once('close', () => {
      report(CLOSED_BEFORE_ANSWER, true);
    });
  });
}
