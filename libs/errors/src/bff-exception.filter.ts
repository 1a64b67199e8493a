import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BffError } from './bff-error';
import { toErrorResponse, type ErrorBody } from './error-body';

/** Nest's own exceptions (unknown route, body too large, ...) keep their status and get a stable code. */
function fromHttpException(exception: HttpException): { status: number; body: ErrorBody } {
  const status = exception.getStatus();
  const code = status === 404 ? 'not_found' : status === 413 ? 'body_too_large' : `http_${String(status)}`;
  let message = status >= 500 ? 'The BFF failed to handle the request.' : exception.message;
  // Nest's 404 says "Cannot GET <url>": the query may carry a code, a state or a token, never echoed.
  if (status === 404) message = message.replace(/\?[\s\S]*$/, '');
  return { status, body: { error: code, message } };
}

/** Fastify's errors (content-type parser, body limit) carry a statusCode and a FST_ code. */
function fromFastifyError(exception: unknown): { status: number; body: ErrorBody } | undefined {
  if (typeof exception !== 'object' || exception === null) return undefined;
  const { statusCode, code } = exception as { statusCode?: unknown; code?: unknown };
  if (typeof statusCode !== 'number' || typeof code !== 'string' || !code.startsWith('FST_')) return undefined;
  if (statusCode === 413) {
    return { status: 413, body: { error: 'body_too_large', message: 'The request body is too large.' } };
  }
  if (statusCode >= 500) return undefined;
  return { status: statusCode, body: { error: 'bad_request', message: 'The request could not be parsed.' } };
}

/** An HTML error page only where the request accepts HTML alone (docs/decisions.md, "Errors"). */
function acceptsHtmlOnly(accept: string | undefined): boolean {
  if (!accept) return false;
  const types = accept.split(',').map((part) => part.split(';')[0]?.trim().toLowerCase());
  return types.includes('text/html') && !types.some((t) => t === '*/*' || t === 'application/*' || t?.endsWith('json'));
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${String(c.charCodeAt(0))};`);
}

/**
 * The one place where errors become HTTP responses. Renders `{ error, message }`
 * JSON, logs server-side failures with their cause (never the request's cookies
 * or tokens: only the error chain is logged), and hides anything unexpected
 * behind a generic 500.
 */
@Catch()
export class BffExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('BffExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return;
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const { status, body } =
      exception instanceof HttpException
        ? fromHttpException(exception)
        : (fromFastifyError(exception) ?? toErrorResponse(exception));
    this.log(exception, status, body, request);
    if (reply.sent) return;
    void reply.status(status).header('cache-control', 'no-store');
    if (acceptsHtmlOnly(request.headers.accept)) {
      void reply
        .type('text/html; charset=utf-8')
        .send(
          `<!doctype html><title>${String(status)}</title><h1>${escapeHtml(body.error)}</h1><p>${escapeHtml(body.message)}</p>`,
        );
      return;
    }
    void reply.type('application/json; charset=utf-8').send(body);
  }

  private log(exception: unknown, status: number, body: ErrorBody, request: FastifyRequest): void {
    const where = `${request.method} ${request.routeOptions.url ?? 'unmatched'}`;
    if (status >= 500) {
      this.logger.error(`${where} -> ${String(status)} ${body.error}: ${describeChain(exception)}`);
    } else if (exception instanceof BffError) {
      const line = `${where} -> ${String(status)} ${body.error}${exception.cause ? `: ${describeChain(exception.cause)}` : ''}`;
      // A missing session is the SPA's routine "am I logged in?" answer; forged states and bad tokens are not.
      if (status === 401 && body.error === 'session_required') this.logger.debug(line);
      // A step-up is the SPA's routine way to a stronger login, not a fault.
      else if (status === 401 && body.error === 'step_up_required') this.logger.log(line);
      else this.logger.warn(line);
    }
  }
}

/** Error names and messages down the cause chain; never request data. */
export function describeChain(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 5; depth++) {
    if (current instanceof Error) {
      const code = (current as { code?: unknown }).code;
      parts.push(`${current.name}${typeof code === 'string' ? `[${code}]` : ''}: ${current.message}`);
      current = current.cause;
    } else {
      parts.push(describeNonError(current));
      break;
    }
  }
  return parts.join(' <- ');
}

/** A thrown non-Error: a primitive as it is, an object only by its tag (its fields may be request data). */
function describeNonError(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'bigint':
    case 'boolean':
    case 'symbol':
    case 'undefined':
      return String(value);
    default:
      return value === null ? 'null' : Object.prototype.toString.call(value);
  }
}
