import type { Attributes } from '@opentelemetry/api';
import { endClientSpan, startClientSpan } from './http-spans';
import { traceHeadersOf } from './traceparent';
import type { BffTracing } from './tracing';

/** What a fetch call is, for its span: a name and the attributes that say what it does. */
export interface FetchCallDescription {
  name: string;
  attributes: Attributes;
}

/** The options a fetch-compatible hook receives (openid-client's `customFetch` passes these). */
export interface TracedFetchOptions {
  method: string;
  headers: Record<string, string>;
  body?: unknown;
  redirect?: string;
  signal?: AbortSignal;
}

/**
 * `fetch` with a CLIENT span per call and the W3C `traceparent` of that span sent along.
 * `describe` names the call from its URL and options (never records the body, which carries
 * codes, tokens and client secrets).
 */
export function tracedFetch<O extends TracedFetchOptions>(
  tracing: BffTracing,
  describe: (url: URL, options: O) => FetchCallDescription,
): (href: string, options: O) => Promise<Response> {
  return async (href, options) => {
    const url = new URL(href);
    const { name, attributes } = describe(url, options);
    const span = startClientSpan(tracing, name, options.method, url, attributes);
    const headers = { ...options.headers, ...traceHeadersOf(span.spanContext()) };
    try {
      const response = await fetch(href, { ...options, headers } as RequestInit);
      endClientSpan(span, response.status);
      return response;
    } catch (error) {
      endClientSpan(span, undefined, error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
  };
}
