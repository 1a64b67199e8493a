// Part of the SDK half of tracing (see sdk.ts): required only once tracing is on.
import type { Attributes, SpanKind } from '@opentelemetry/api';
import {
  ProtobufTraceSerializer,
  type IExportTraceServiceResponse,
  type ISerializer,
} from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { FIXED32, FIXED64, LENGTH_DELIMITED, ProtoWriter, VARINT } from './protobuf-writer';

/**
 * The OTLP/protobuf body of an export, byte for byte what the SDK's own `ProtobufTraceSerializer`
 * writes (libs/tracing/src/otlp-protobuf.spec.ts compares the two), at a fraction of its cost on the
 * event loop. That serializer walks every span twice (a size estimate, then the write) and
 * copies every string one character at a time in JavaScript, twice; per proxied request, with
 * its two spans, it cost more instructions than everything else tracing adds (bench:instructions).
 * Here each span is walked once into one growing buffer, strings and ids are written by
 * Buffer's native encoders, and attribute keys, a small fixed set, are encoded once.
 *
 * Only what the BFF's spans hold is written this way: primitive attribute values, no events and
 * no links. A batch with anything else goes to the SDK's serializer whole.
 */
export const fastProtobufTraceSerializer: ISerializer<ReadableSpan[], IExportTraceServiceResponse> = {
  serializeRequest(spans: ReadableSpan[]): Uint8Array | undefined {
    return encodeExportRequest(spans) ?? ProtobufTraceSerializer.serializeRequest(spans);
  },
  deserializeResponse(data: Uint8Array): IExportTraceServiceResponse {
    return ProtobufTraceSerializer.deserializeResponse(data);
  },
};

// Span flags (OTLP trace.proto): the context's W3C flags, and whether its parent was remote.
const HAS_IS_REMOTE = 0x100;
const IS_REMOTE = 0x200;

const INT64_MIN = -(2 ** 63);
const INT64_MAX = 2 ** 63;
/** Bounds the key cache: keys are a small fixed set, but a host could name its own attributes freely. */
const KEY_CACHE_MAX = 512;

/** Thrown inside the encoder at anything it does not write (see fastProtobufTraceSerializer); never escapes. */
class Unsupported extends Error {}

/** `KeyValue.key` (field 1) with its tag and length, per key. */
const encodedKeys = new Map<string, Buffer>();

function encodedKey(key: string): Buffer {
  let encoded = encodedKeys.get(key);
  if (encoded === undefined) {
    const bytes = Buffer.from(key, 'utf8');
    const keyWriter = new ProtoWriter(bytes.length + 6);
    keyWriter.tag(1, LENGTH_DELIMITED);
    keyWriter.varint(bytes.length);
    keyWriter.raw(bytes);
    encoded = Buffer.from(keyWriter.buf.subarray(0, keyWriter.pos));
    if (encodedKeys.size >= KEY_CACHE_MAX) encodedKeys.clear();
    encodedKeys.set(key, encoded);
  }
  return encoded;
}

function writeValue(writer: ProtoWriter, value: unknown): void {
  switch (typeof value) {
    case 'string':
      writer.tag(1, LENGTH_DELIMITED);
      writer.string(value);
      return;
    case 'boolean':
      writer.tag(2, VARINT);
      writer.varint(value ? 1 : 0);
      return;
    case 'number':
      if (Number.isInteger(value) && value >= INT64_MIN && value < INT64_MAX) {
        writer.tag(3, VARINT);
        writer.varint(value);
      } else {
        writer.tag(4, FIXED64);
        writer.double(value);
      }
      return;
    default:
      // An absent value is written as an empty AnyValue, as the SDK does; anything else is not ours.
      if (value !== undefined && value !== null) throw new Unsupported();
  }
}

/** Repeated `KeyValue` in `field`, in the order the SDK's serializer walks them. */
function writeAttributes(writer: ProtoWriter, attributes: Attributes, field: number): void {
  for (const key in attributes) {
    if (!Object.prototype.hasOwnProperty.call(attributes, key)) continue;
    writer.tag(field, LENGTH_DELIMITED);
    const keyValue = writer.begin();
    writer.raw(encodedKey(key));
    writer.tag(2, LENGTH_DELIMITED);
    const value = writer.begin();
    writeValue(writer, attributes[key]);
    writer.end(value);
    writer.end(keyValue);
  }
}

function spanFlags(traceFlags: number, isRemote: boolean | undefined): number {
  return (traceFlags & 0xff) | HAS_IS_REMOTE | (isRemote ? IS_REMOTE : 0);
}

/** One `Span` (field 2 of ScopeSpans). */
function writeSpan(writer: ProtoWriter, span: ReadableSpan): void {
  if (span.events.length > 0 || span.links.length > 0) throw new Unsupported();
  const context = span.spanContext();
  writer.tag(1, LENGTH_DELIMITED);
  writer.hexBytes(context.traceId);
  writer.tag(2, LENGTH_DELIMITED);
  writer.hexBytes(context.spanId);
  const traceState = context.traceState?.serialize();
  if (traceState) {
    writer.tag(3, LENGTH_DELIMITED);
    writer.string(traceState);
  }
  const parent = span.parentSpanContext;
  if (parent?.spanId) {
    writer.tag(4, LENGTH_DELIMITED);
    writer.hexBytes(parent.spanId);
  }
  writer.tag(5, LENGTH_DELIMITED);
  writer.string(span.name);
  // OTLP's SpanKind counts from UNSPECIFIED (0); the API's from INTERNAL (0).
  if ((span.kind as SpanKind | undefined) !== undefined) {
    writer.tag(6, VARINT);
    writer.varint(span.kind + 1);
  }
  writer.tag(7, FIXED64);
  writer.time(span.startTime);
  writer.tag(8, FIXED64);
  writer.time(span.endTime);
  writeAttributes(writer, span.attributes, 9);
  writer.tag(10, VARINT);
  writer.varint(span.droppedAttributesCount);
  writer.tag(12, VARINT);
  writer.varint(span.droppedEventsCount);
  writer.tag(14, VARINT);
  writer.varint(span.droppedLinksCount);
  writer.tag(15, LENGTH_DELIMITED);
  const status = writer.begin();
  if (span.status.message) {
    writer.tag(2, LENGTH_DELIMITED);
    writer.string(span.status.message);
  }
  writer.tag(3, VARINT);
  writer.varint(span.status.code);
  writer.end(status);
  writer.tag(16, FIXED32);
  writer.fixed32(spanFlags(context.traceFlags, parent?.isRemote));
}

type Scope = ReadableSpan['instrumentationScope'];
type Resource = ReadableSpan['resource'];

function writeScopeSpans(writer: ProtoWriter, scope: Scope, spans: ReadableSpan[]): void {
  writer.tag(1, LENGTH_DELIMITED);
  const scopeStart = writer.begin();
  writer.tag(1, LENGTH_DELIMITED);
  writer.string(scope.name);
  if (scope.version) {
    writer.tag(2, LENGTH_DELIMITED);
    writer.string(scope.version);
  }
  writer.end(scopeStart);
  for (const span of spans) {
    writer.tag(2, LENGTH_DELIMITED);
    const spanStart = writer.begin();
    writeSpan(writer, span);
    writer.end(spanStart);
  }
  if (scope.schemaUrl) {
    writer.tag(3, LENGTH_DELIMITED);
    writer.string(scope.schemaUrl);
  }
}

function writeResourceSpans(writer: ProtoWriter, resource: Resource, scopes: Map<Scope, ReadableSpan[]>): void {
  writer.tag(1, LENGTH_DELIMITED);
  const resourceStart = writer.begin();
  writeAttributes(writer, resource.attributes, 1);
  writer.tag(2, VARINT);
  writer.varint(0);
  writer.end(resourceStart);
  for (const [scope, spans] of scopes) {
    writer.tag(2, LENGTH_DELIMITED);
    const scopeSpans = writer.begin();
    writeScopeSpans(writer, scope, spans);
    writer.end(scopeSpans);
  }
  if (resource.schemaUrl) {
    writer.tag(3, LENGTH_DELIMITED);
    writer.string(resource.schemaUrl);
  }
}

/** Spans grouped by resource, then scope, by identity and in first-seen order, as the SDK groups them. */
function groupSpans(spans: ReadableSpan[]): Map<Resource, Map<Scope, ReadableSpan[]>> {
  const resources = new Map<Resource, Map<Scope, ReadableSpan[]>>();
  for (const span of spans) {
    let scopes = resources.get(span.resource);
    if (scopes === undefined) {
      scopes = new Map();
      resources.set(span.resource, scopes);
    }
    const grouped = scopes.get(span.instrumentationScope);
    if (grouped === undefined) scopes.set(span.instrumentationScope, [span]);
    else grouped.push(span);
  }
  return resources;
}

/** The `ExportTraceServiceRequest`, or undefined when a span holds what only the SDK's serializer writes. */
export function encodeExportRequest(spans: ReadableSpan[]): Uint8Array | undefined {
  const writer = new ProtoWriter();
  try {
    for (const [resource, scopes] of groupSpans(spans)) {
      if (resource.asyncAttributesPending === true || scopeAttributesIn(scopes)) return undefined;
      writer.tag(1, LENGTH_DELIMITED);
      const resourceSpans = writer.begin();
      writeResourceSpans(writer, resource, scopes);
      writer.end(resourceSpans);
    }
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
  return new Uint8Array(writer.buf.buffer, writer.buf.byteOffset, writer.pos);
}

/** Scope attributes are not written here (the BFF's tracer has none). */
function scopeAttributesIn(scopes: Map<Scope, ReadableSpan[]>): boolean {
  for (const scope of scopes.keys()) {
    const withAttributes = scope as Scope & { attributes?: Attributes; droppedAttributesCount?: number };
    if (withAttributes.attributes !== undefined || withAttributes.droppedAttributesCount) return true;
  }
  return false;
}
