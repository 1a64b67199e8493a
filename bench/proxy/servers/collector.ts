/**
 * A stand-in for an OpenTelemetry collector: answers 200 to every OTLP/HTTP trace export
 * (`POST /v1/traces`, JSON or protobuf) and counts the spans and bytes that arrived, so that the
 * tracing row can say whether the BFF exported anything. It keeps nothing.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '../../common/serve';

/**
 * In OTLP/JSON every span carries exactly one `"spanId":` member (a parent is `"parentSpanId"`,
 * and the BFF makes no links): counting it avoids parsing the body.
 */
const SPAN_ID = Buffer.from('"spanId":');

function countJsonSpans(body: Buffer): number {
  let spans = 0;
  for (let at = body.indexOf(SPAN_ID); at >= 0; at = body.indexOf(SPAN_ID, at + SPAN_ID.length)) spans += 1;
  return spans;
}

/** A protobuf varint at `at`: its value and where the next byte starts. */
function readVarint(body: Buffer, at: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (;;) {
    const byte = body[at++];
    if (byte === undefined) throw new RangeError('truncated protobuf varint');
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return [value, at];
    scale *= 128;
  }
}

/** Calls `visit` with each length-delimited field of the message in body[start, end). */
function eachMessageField(
  body: Buffer,
  start: number,
  end: number,
  visit: (field: number, from: number, to: number) => void,
): void {
  let at = start;
  while (at < end) {
    const [key, afterKey] = readVarint(body, at);
    const wireType = key % 8;
    if (wireType === 2) {
      const [length, from] = readVarint(body, afterKey);
      visit(Math.floor(key / 8), from, from + length);
      at = from + length;
    } else if (wireType === 0) at = readVarint(body, afterKey)[1];
    else if (wireType === 1) at = afterKey + 8;
    else if (wireType === 5) at = afterKey + 4;
    else throw new RangeError(`protobuf wire type ${String(wireType)} is not used by OTLP`);
  }
}

/**
 * The spans of an OTLP/protobuf ExportTraceServiceRequest, read from the wire format alone:
 * `resource_spans` (field 1) → `scope_spans` (field 2) → `spans` (field 2).
 */
function countProtobufSpans(body: Buffer): number {
  let spans = 0;
  eachMessageField(body, 0, body.length, (field, from, to) => {
    if (field !== 1) return;
    eachMessageField(body, from, to, (scopeField, scopeFrom, scopeTo) => {
      if (scopeField !== 2) return;
      eachMessageField(body, scopeFrom, scopeTo, (spanField) => {
        if (spanField === 2) spans += 1;
      });
    });
  });
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
      counters.spans += json ? countJsonSpans(body) : countProtobufSpans(body);
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
