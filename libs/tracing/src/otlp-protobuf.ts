// Part of the SDK half of tracing (see sdk.ts): required only once tracing is on.
import type { Attributes, HrTime, SpanKind } from '@opentelemetry/api';
import {
  ProtobufTraceSerializer,
  type IExportTraceServiceResponse,
  type ISerializer,
} from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

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

// Wire types (protobuf encoding spec).
const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

// Span flags (OTLP trace.proto): the context's W3C flags, and whether its parent was remote.
const HAS_IS_REMOTE = 0x100;
const IS_REMOTE = 0x200;

const INT64_MIN = -(2 ** 63);
const INT64_MAX = 2 ** 63;
/** Bounds the key cache: keys are a small fixed set, but a host could name its own attributes freely. */
const KEY_CACHE_MAX = 512;

/** Thrown inside the encoder at anything it does not write (see the class comment); never escapes. */
class Unsupported extends Error {}

/** A protobuf writer over one growing Buffer; a message's length is written after its content. */
class ProtoWriter {
  buf = Buffer.allocUnsafe(16 * 1024);
  pos = 0;

  ensure(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + bytes) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  tag(field: number, wireType: number): void {
    const key = (field << 3) | wireType;
    // Every field below 16 has a one-byte key: no varint loop for them.
    if (key < 0x80) {
      this.ensure(1);
      this.buf[this.pos++] = key;
    } else this.varint(key);
  }

  /** A varint as the SDK writes one: unsigned 32-bit values directly, others as 64-bit two's complement. */
  varint(value: number): void {
    this.ensure(10);
    const buf = this.buf;
    let pos = this.pos;
    if (value >= 0 && value <= 0xffffffff) {
      let v = value >>> 0;
      while (v > 0x7f) {
        buf[pos++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      buf[pos++] = v;
    } else {
      const abs = Math.abs(value);
      let low = abs >>> 0;
      let high = (abs / 0x100000000) >>> 0;
      if (value < 0) {
        low = ~low >>> 0;
        high = ~high >>> 0;
        low = (low + 1) >>> 0;
        if (low === 0) high = (high + 1) >>> 0;
      }
      while (high > 0 || low > 0x7f) {
        buf[pos++] = (low & 0x7f) | 0x80;
        low = ((low >>> 7) | (high << 25)) >>> 0;
        high >>>= 7;
      }
      buf[pos++] = low & 0x7f;
    }
    this.pos = pos;
  }

  fixed32(value: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(value >>> 0, this.pos);
    this.pos += 4;
  }

  /** OpenTelemetry's HrTime as nanoseconds since the epoch, exact (the SDK's arithmetic). */
  time(hrTime: HrTime): void {
    const [seconds, nanos] = hrTime;
    const fromLow16 = (seconds & 0xffff) * 1e9;
    const fromHigh = ((seconds / 0x10000) >>> 0) * 1e9;
    const low = (fromLow16 >>> 0) + ((((fromHigh & 0xffff) * 0x10000) >>> 0) + nanos);
    const high = Math.floor(fromLow16 / 0x100000000) + ((fromHigh / 0x10000) >>> 0) + Math.floor(low / 0x100000000);
    this.ensure(8);
    this.buf.writeUInt32LE(low >>> 0, this.pos);
    this.buf.writeUInt32LE(high >>> 0, this.pos + 4);
    this.pos += 8;
  }

  double(value: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(value, this.pos);
    this.pos += 8;
  }

  /** UTF-8, ill-formed surrogates as U+FFFD, like the SDK's TextEncoder path. */
  string(value: string): void {
    this.ensure(value.length * 3 + 5);
    const start = this.begin();
    this.pos += this.buf.write(value, this.pos, 'utf8');
    this.end(start);
  }

  /** Lowercase hex ids (the SDK makes and checks them so) as their bytes. */
  hexBytes(hex: string): void {
    const length = hex.length >>> 1;
    this.ensure(length + 1);
    this.buf[this.pos++] = length;
    this.pos += this.buf.write(hex, this.pos, length, 'hex');
  }

  raw(bytes: Buffer): void {
    this.ensure(bytes.length);
    bytes.copy(this.buf, this.pos);
    this.pos += bytes.length;
  }

  /** Starts a length-delimited field's content; one byte is kept for its length. */
  begin(): number {
    this.ensure(1);
    return this.pos++;
  }

  /** Writes the length of the content started at `start`, moving the content when it needs more than a byte. */
  end(start: number): void {
    const length = this.pos - start - 1;
    if (length < 0x80) {
      this.buf[start] = length;
      return;
    }
    let size = 1;
    for (let v = length >>> 7; v > 0; v >>>= 7) size += 1;
    this.ensure(size - 1);
    this.buf.copyWithin(start + size, start + 1, this.pos);
    this.pos += size - 1;
    let v = length;
    let at = start;
    while (v > 0x7f) {
      this.buf[at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[at] = v;
  }
}

/** `KeyValue.key` (field 1) with its tag and length, per key. */
const encodedKeys = new Map<string, Buffer>();

function encodedKey(key: string): Buffer {
  let encoded = encodedKeys.get(key);
  if (encoded === undefined) {
    const bytes = Buffer.from(key, 'utf8');
    const keyWriter = new ProtoWriter();
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
