import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { parseDpopChallenge } from '@bff/dpop';
import type { Dispatcher } from 'undici';
import { browserResponseHeaders, type LocationRewriter } from './forwarded-headers';

/** What an exchange reports back to the route that started it. */
export interface ExchangeObserver {
  /** The upstream answered with this status (headers are on their way to the browser). */
  answered(status: number, headers: IncomingHttpHeaders): void;
  /** The exchange failed before any response header reached the browser; the observer answers instead. */
  failed(error: Error): void;
  /** The browser went away first: nobody is left to answer, and nothing went wrong upstream. */
  abandoned(): void;
  /**
   * The upstream refused the token (401 invalid_token) or asked for a DPoP nonce (401
   * use_dpop_nonce) and the exchange may be retried: nothing was sent to the browser yet.
   */
  retry(reason: RetryReason): void;
  /**
   * The exchange is over, whichever way (its body ended, or `error` stopped it): called once,
   * before any of the above that the end leads to. Set only when the call is traced.
   */
  settled?(error?: Error): void;
}

/** Why an upstream 401 is worth one more try. */
export type RetryReason = 'invalid_token' | 'use_dpop_nonce';

/** RFC 9449 §9: the upstream wants a proof with its `DPoP-Nonce`. */
export function asksForDpopNonce(headers: IncomingHttpHeaders): boolean {
  return parseDpopChallenge(headers['www-authenticate'])?.error === 'use_dpop_nonce';
}

/** RFC 6750 §3.1 / RFC 9449 §7.1: the upstream says this access token is not valid (expired, revoked). */
export function refusesToken(headers: IncomingHttpHeaders): boolean {
  const challenge = headers['www-authenticate'];
  const values: string[] = challenge === undefined ? [] : Array.isArray(challenge) ? challenge : [challenge];
  return values.some((value) => /^\s*(?:bearer|dpop)\b/i.test(value) && /\berror\s*=\s*"?invalid_token\b/i.test(value));
}

/**
 * One proxied request, as an undici dispatch handler: the upstream's status,
 * filtered headers and body chunks are written straight to the browser's raw
 * response, with backpressure both ways (a slow browser pauses the upstream
 * read; undici pulls a streamed request body only as fast as the upstream takes it).
 * No Readable is built for the response, which is most of what a generic proxy
 * (reply-from) spends per request beyond the two sockets.
 */
export class UpstreamExchange implements Dispatcher.DispatchHandler {
  private controller?: Dispatcher.DispatchController;
  private drainListening = false;
  private completed = false;
  private retrying?: RetryReason;

  constructor(
    private readonly response: ServerResponse,
    private readonly observer: ExchangeObserver,
    private readonly rewriteLocation: LocationRewriter,
    /** A GET/HEAD sent with a token that may be renewed once: a 401 invalid_token is then not passed on. */
    private readonly mayRetry = false,
    /** A call without a body sent with a DPoP proof: a 401 use_dpop_nonce is then answered once more. */
    private readonly mayRetryNonce = false,
  ) {}

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    // A browser gone before this exchange began (between a refused attempt and its retry) left no
    // close event to hear: stop now, before the request is written.
    if (this.response.destroyed) {
      controller.abort(new BrowserGoneError());
      return;
    }
    // A browser that goes away mid-exchange stops the upstream one too.
    this.response.once('close', this.onBrowserClosed);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    // 1xx interim responses are the proxy's business, not the browser's.
    if (statusCode < 200) return;
    // The BFF has already answered (the request body's deadline passed): the upstream's answer has no reader.
    if (this.response.headersSent) {
      this.controller?.abort(new BrowserGoneError());
      return;
    }
    this.observer.answered(statusCode, headers);
    if (statusCode === 401) {
      if (this.mayRetryNonce && asksForDpopNonce(headers)) this.retrying = 'use_dpop_nonce';
      else if (this.mayRetry && refusesToken(headers)) this.retrying = 'invalid_token';
      if (this.retrying !== undefined) {
        this.controller?.abort(new TokenRefusedUpstreamError());
        return;
      }
    }
    this.response.writeHead(statusCode, browserResponseHeaders(headers, this.rewriteLocation));
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.response.write(chunk)) return;
    controller.pause();
    if (!this.drainListening) {
      this.drainListening = true;
      this.response.on('drain', this.onBrowserDrained);
    }
  }

  onResponseEnd(): void {
    this.completed = true;
    this.observer.settled?.();
    this.response.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.observer.settled?.(error);
    if (this.retrying !== undefined) {
      this.observer.retry(this.retrying);
      return;
    }
    if (error instanceof BrowserGoneError || this.response.destroyed || this.response.writableEnded) {
      this.observer.abandoned();
      return;
    }
    if (this.response.headersSent) {
      // Too late for a status: a truncated body must not look complete, so the connection goes.
      this.response.destroy(error);
      return;
    }
    this.observer.failed(error);
  }

  private readonly onBrowserDrained = (): void => {
    this.controller?.resume();
  };

  private readonly onBrowserClosed = (): void => {
    // Finished by the BFF itself (a 408) is no completed exchange: the upstream request stops too.
    if (this.completed || this.retrying !== undefined) return;
    const controller = this.controller;
    if (controller && !controller.aborted) controller.abort(new BrowserGoneError());
  };
}

/** The browser closed its connection before the proxied response was complete. */
export class BrowserGoneError extends Error {
  constructor() {
    super('the browser closed the connection before the response was complete');
    this.name = 'BrowserGoneError';
  }
}

/** The upstream answered 401 invalid_token; the exchange stops so that it can be retried with a renewed token. */
export class TokenRefusedUpstreamError extends Error {
  constructor() {
    super('the upstream refused the access token');
    this.name = 'TokenRefusedUpstreamError';
  }
}
