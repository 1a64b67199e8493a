import { BffClientError, BffNetworkError, BffTimeoutError } from './errors.js';
import type { Environment } from './environment.js';

/**
 * `fetch` bounded by `timeoutMs`, which covers the answer's headers and whatever `read` does with
 * it (reading a body included). The timer is the environment's `setTimeout` rather than
 * `AbortSignal.timeout`, so fake timers drive it in tests. A caller's own `signal` keeps aborting
 * the request, and a body read after `read` returned; the call then rejects with that signal's
 * reason, unwrapped, as `fetch` does.
 */
export async function timedFetch<T>(
  env: Environment,
  url: string,
  init: RequestInit,
  timeoutMs: number,
  read: (response: Response) => Promise<T>,
): Promise<T> {
  const method = (init.method ?? 'GET').toUpperCase();
  const callerSignal = init.signal ?? undefined;
  callerSignal?.throwIfAborted();
  const controller = new AbortController();
  const timeout = new BffTimeoutError(method, url, timeoutMs);
  const timer = env.setTimeout(() => {
    controller.abort(timeout);
  }, timeoutMs);
  const signal = callerSignal ? AbortSignal.any([callerSignal, controller.signal]) : controller.signal;
  try {
    return await read(await env.fetch(url, { ...init, signal }));
  } catch (error) {
    if (controller.signal.reason === timeout) throw timeout;
    if (callerSignal?.aborted) throw callerSignal.reason;
    if (error instanceof BffClientError) throw error;
    throw new BffNetworkError(method, url, error);
  } finally {
    env.clearTimeout(timer);
  }
}

/** A body as JSON when the response says it is JSON (the BFF's errors always are), else as text. */
export async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!/\bjson\b/i.test(response.headers.get('content-type') ?? '') || text === '') return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
