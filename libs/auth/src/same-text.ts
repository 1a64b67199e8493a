import { timingSafeEqual } from 'node:crypto';

/** Compares two secrets-bearing strings in constant time (for equal lengths). */
export function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
