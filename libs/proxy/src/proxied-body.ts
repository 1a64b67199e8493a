import type { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { BodyLimit } from './body-limit';
import { BodyNotAllowedError, BodyTooLargeError } from './proxy.errors';

/** Methods whose body an upstream may not read, so that it would be taken as the next request (CL.0 smuggling). */
const NO_BODY_METHODS = new Set(['GET', 'HEAD']);

/** The request body to stream upstream, and the counter that enforces the limit on a chunked one. */
export interface ProxiedBody {
  stream?: Readable;
  limit?: BodyLimit;
}

/**
 * Decides what body a proxied request carries, whatever its method: a declared
 * length over the limit is refused at once (413), a chunked body is counted as
 * it streams (413 when it passes the limit), and GET/HEAD with a body are
 * refused (400) rather than forwarded to an upstream that might not read it.
 */
export function proxiedBodyOf(request: FastifyRequest, limitBytes: number): ProxiedBody {
  const declared = request.headers['content-length'];
  if (declared !== undefined && Number(declared) > limitBytes) throw new BodyTooLargeError(limitBytes);
  const hasBody = declared !== undefined ? Number(declared) > 0 : request.headers['transfer-encoding'] !== undefined;
  if (!hasBody) return {};
  if (NO_BODY_METHODS.has(request.method)) throw new BodyNotAllowedError(request.method);
  // Node's parser holds a request to its Content-Length, so the raw stream cannot exceed it.
  if (declared !== undefined) return { stream: request.raw };
  const limit = new BodyLimit(limitBytes);
  return { stream: request.raw.pipe(limit), limit };
}
