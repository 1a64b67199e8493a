import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the upstream saw it. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  bodyBytes: number;
}

/**
 * A real downstream API for proxy tests. Paths select behaviour:
 * `/echo` answers with what it saw, `/json-1k` a 1 KiB JSON body,
 * `/set-cookie` tries to set a cookie, `/status/<n>` answers n,
 * `/slow/<ms>` waits before answering, `/upload` counts the body it receives,
 * `/bytes/<n>` streams n bytes of a known pattern (respecting backpressure),
 * `/break-after/<n>` sends a longer Content-Length than the n bytes it writes, then drops the connection,
 * `/redirect?to=<url>` answers 302 with that Location (and Content-Location),
 * `/html?q=<text>` reflects its query into an HTML page, as a careless API might,
 * `/invalid-token` always answers 401 `Bearer error="invalid_token"`, and
 * `/invalid-token-once/<key>` does so the first time it sees `<key>` only.
 */
export class EchoUpstream {
  readonly seen: SeenRequest[] = [];
  /** Body bytes received so far over all requests, counted as they arrive. */
  receivedBytes = 0;
  /** Responses whose connection closed before the upstream finished writing them. */
  abandonedResponses = 0;
  /** Requests whose body is still arriving. */
  receiving = 0;
  /** Pending `/slow/` answers, cleared on close so no timer outlives the test. */
  private readonly delayed = new Set<NodeJS.Timeout>();
  private readonly refusedOnce = new Set<string>();
  private readonly payload = JSON.stringify({ data: 'x'.repeat(1000) }).slice(0, 1024);
  private readonly server: Server = createServer((request, response) => {
    this.handle(request, response);
  });

  static async start(): Promise<EchoUpstream> {
    const upstream = new EchoUpstream();
    upstream.server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve) => upstream.server.listen(0, '127.0.0.1', resolve));
    return upstream;
  }

  get url(): string {
    return `http://127.0.0.1:${String((this.server.address() as AddressInfo).port)}`;
  }

  async close(): Promise<void> {
    for (const timer of this.delayed) clearTimeout(timer);
    this.delayed.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    response.once('close', () => {
      if (!response.writableFinished) this.abandonedResponses++;
    });
    let bodyBytes = 0;
    this.receiving++;
    request.once('close', () => {
      if (!request.complete) this.receiving--;
    });
    request.on('data', (chunk: Buffer) => {
      bodyBytes += chunk.length;
      this.receivedBytes += chunk.length;
    });
    request.on('end', () => {
      this.receiving--;
      const seen = { method: request.method ?? '', url: request.url ?? '', headers: request.headers, bodyBytes };
      this.seen.push(seen);
      const path = (request.url ?? '').split('?')[0] ?? '';
      const json = (status: number, body: unknown, headers: Record<string, string | string[]> = {}) => {
        response.writeHead(status, { 'content-type': 'application/json', ...headers });
        response.end(JSON.stringify(body));
      };
      if (path === '/json-1k') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(this.payload);
      } else if (path === '/set-cookie') {
        json(200, { ok: true }, { 'set-cookie': ['session=upstream; Path=/', '__Host-bff=hijack; Path=/; Secure'] });
      } else if (path.startsWith('/status/')) {
        json(Number(path.slice('/status/'.length)), { upstream: 'error body' });
      } else if (path.startsWith('/bytes/')) {
        this.stream(response, Number(path.slice('/bytes/'.length)));
      } else if (path.startsWith('/break-after/')) {
        const sent = Number(path.slice('/break-after/'.length));
        response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(sent * 2) });
        response.write(patternBytes(0, sent), () => response.socket?.destroy());
      } else if (path === '/invalid-token' || path.startsWith('/invalid-token-once/')) {
        const first = !this.refusedOnce.has(path);
        this.refusedOnce.add(path);
        if (path === '/invalid-token' || first) {
          json(
            401,
            { error: 'invalid_token' },
            { 'www-authenticate': 'Bearer error="invalid_token", error_description="expired"' },
          );
        } else {
          json(200, seen);
        }
      } else if (path.endsWith('/redirect')) {
        const to = new URL(request.url ?? '', 'http://x').searchParams.get('to') ?? '/';
        json(302, { redirect: true }, { location: to, 'content-location': to });
      } else if (path.endsWith('/html')) {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        response.end(`<!doctype html><p>You searched for ${new URL(request.url ?? '', 'http://x').search}</p>`);
      } else if (path.startsWith('/slow/')) {
        const timer = setTimeout(
          () => {
            this.delayed.delete(timer);
            json(200, seen);
          },
          Number(path.slice('/slow/'.length)),
        );
        this.delayed.add(timer);
      } else {
        json(200, seen);
      }
    });
  }

  private stream(response: ServerResponse, total: number): void {
    response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(total) });
    let offset = 0;
    const writeMore = (): void => {
      while (offset < total && !response.destroyed) {
        const size = Math.min(64 * 1024, total - offset);
        const more = response.write(patternBytes(offset, size));
        offset += size;
        if (!more) {
          response.once('drain', writeMore);
          return;
        }
      }
      if (offset >= total) response.end();
    };
    writeMore();
  }
}

/** Bytes `offset .. offset + size` of an endless, checkable pattern (byte i is i mod 251). */
export function patternBytes(offset: number, size: number): Buffer {
  const bytes = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) bytes[i] = (offset + i) % 251;
  return bytes;
}
