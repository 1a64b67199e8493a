/**
 * A stand-in for an OpenTelemetry collector: answers 200 to every OTLP/HTTP trace export
 * (`POST /v1/traces`, JSON or protobuf) and counts what arrived, so that the tracing row can
 * say whether the BFF exported anything. It keeps nothing.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '../../common/serve';

/**
 * In OTLP/JSON every span carries exactly one `"spanId":` member (a parent is `"parentSpanId"`,
 * and the BFF makes no links): counting it avoids parsing the body. Protobuf is counted in bytes only.
 */
const SPAN_ID = Buffer.from('"spanId":');

function countSpans(body: Buffer): number {
  let spans = 0;
  for (let at = body.indexOf(SPAN_ID); at >= 0; at = body.indexOf(SPAN_ID, at + SPAN_ID.length)) spans += 1;
  return spans;
}

serve(async () => {
  const counters = { exports: 0, spans: 0, bytes: 0, other: 0 };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/v1/traces') {
        counters.other += 1;
        response.writeHead(404, { 'content-length': 0 });
        response.end();
        return;
      }
      const body = Buffer.concat(chunks);
      const json = (request.headers['content-type'] ?? '').startsWith('application/json');
      counters.exports += 1;
      counters.bytes += body.length;
      if (json) counters.spans += countSpans(body);
      // An empty ExportTraceServiceResponse: everything accepted.
      const answer = json ? Buffer.from('{}') : Buffer.alloc(0);
      response.writeHead(200, {
        'content-type': json ? 'application/json' : 'application/x-protobuf',
        'content-length': answer.length,
      });
      response.end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`,
    counters: () => ({ ...counters }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
});
