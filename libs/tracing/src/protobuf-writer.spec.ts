import { ProtoWriter } from './protobuf-writer';

function written(write: (writer: ProtoWriter) => void): Buffer {
  const writer = new ProtoWriter(4);
  write(writer);
  return Buffer.from(writer.buf.subarray(0, writer.pos));
}

describe('ProtoWriter', () => {
  it.each([
    ['ascii', 'GET /api/orders'],
    ['empty', ''],
    ['non-ASCII after ASCII', 'caf\u00e9 \u4e2d'],
    ['a lone surrogate', 'a\ud800b'],
    ['127 characters', 'x'.repeat(127)],
    ['128 characters', 'x'.repeat(128)],
  ])('writes a string (%s) as its UTF-8 length and bytes, whichever way it copies it', (_label, value) => {
    const bytes = Buffer.from(value, 'utf8');
    const length = written((writer) => {
      writer.varint(bytes.length);
    });
    expect(written((writer) => writer.string(value))).toEqual(Buffer.concat([length, bytes]));
  });

  it.each([
    ['a lowercase trace id', '0af7651916cd43dd8448eb211c80319c'],
    ['a span id', 'b7ad6b7169203331'],
    ['uppercase hex', '0AF7651916CD43DD'],
  ])('writes %s as Buffer decodes it, behind its byte length', (_label, hex) => {
    const length = hex.length / 2;
    const decoded = Buffer.alloc(length);
    const count = decoded.write(hex, 'hex');
    expect(written((writer) => writer.hexBytes(hex))).toEqual(
      Buffer.concat([Buffer.from([length]), decoded.subarray(0, count)]),
    );
  });

  it('copies bytes as they are, short or long', () => {
    for (const size of [0, 3, 127, 128, 1000]) {
      const bytes = Buffer.from(Array.from({ length: size }, (_, i) => i % 256));
      expect(written((writer) => writer.raw(bytes))).toEqual(bytes);
    }
  });
});
