// Part of the SDK half of tracing (see sdk.ts): required only once tracing is on.
import type { HrTime } from '@opentelemetry/api';

/** Protobuf wire types (the protobuf encoding spec). */
export const VARINT = 0;
export const FIXED64 = 1;
export const LENGTH_DELIMITED = 2;
export const FIXED32 = 5;

/** Writes `value` (unsigned, 32-bit) as a varint at `pos` of `buf`; returns the position after it. */
function putUint32(buf: Buffer, pos: number, value: number): number {
  let v = value >>> 0;
  while (v > 0x7f) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[pos++] = v;
  return pos;
}

/** A protobuf writer over one growing Buffer; a message's length is written after its content. */
export class ProtoWriter {
  buf: Buffer;
  pos = 0;

  /** `capacity`: the bytes it starts with (it grows as needed); an export batch's default. */
  constructor(capacity = 16 * 1024) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

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
    if (value >= 0 && value <= 0xffffffff) {
      this.pos = putUint32(this.buf, this.pos, value);
      return;
    }
    // Beyond 32 bits, or negative: 64-bit two's complement, as the SDK writes int64 attribute values.
    const buf = this.buf;
    let pos = this.pos;
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
    putUint32(this.buf, start, length);
  }
}
