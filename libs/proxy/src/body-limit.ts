import { Transform, type TransformCallback } from 'node:stream';

/** Passes a body through while counting it; fails the stream once it exceeds `limit` bytes. */
export class BodyLimit extends Transform {
  exceeded = false;
  private seen = 0;

  constructor(private readonly limit: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.limit) {
      this.exceeded = true;
      callback(new Error('request body over the limit'));
      return;
    }
    callback(null, chunk);
  }
}
