import { STATUS_CODES } from 'node:http';
import type { ErrorBody } from './error-body';

/**
 * Headers every answer of the BFF carries (docs/security-model.md), whoever writes it:
 * Fastify, the proxy on the raw response, Node's client-error path or a
 * refused WebSocket upgrade.
 */
export const BASELINE_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** The headers of an error answer written outside Fastify: JSON, never cached, and the connection ends. */
export function rawErrorHeaders(body: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...BASELINE_HEADERS,
    'cache-control': 'no-store',
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    connection: 'close',
    ...extra,
  };
}

/**
 * An error as a complete HTTP/1.1 response, for a socket that has no response
 * object (a request Node could not parse, a WebSocket upgrade): the same JSON
 * body and headers as every other error of the BFF.
 */
export function rawHttpError(status: number, body: ErrorBody, extra: Record<string, string> = {}): string {
  const payload = JSON.stringify(body);
  const head = Object.entries(rawErrorHeaders(payload, extra))
    .map(([name, value]) => `${name}: ${value}`)
    .join('\r\n');
  return `HTTP/1.1 ${String(status)} ${STATUS_CODES[status] ?? 'Error'}\r\n${head}\r\n\r\n${payload}`;
}
