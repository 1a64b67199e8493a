import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { asksForDpopNonce, refusesToken, UpstreamExchange, type ExchangeObserver } from './upstream-exchange';

describe('refusesToken', () => {
  it.each([
    'Bearer error="invalid_token"',
    'Bearer realm="api", error="invalid_token", error_description="expired"',
    'bearer error=invalid_token',
    'DPoP algs="ES256", error="invalid_token"',
  ])('reads %s as the upstream refusing the token', (challenge) => {
    expect(refusesToken({ 'www-authenticate': challenge })).toBe(true);
    expect(refusesToken({ 'www-authenticate': [`Basic realm="x"`, challenge] } as never)).toBe(true);
  });

  it.each([
    undefined,
    'Bearer',
    'Bearer error="insufficient_scope"',
    'Bearer error="invalid_request"',
    'Basic error="invalid_token"',
    'Bearer error="invalid_token_type"',
  ])('does not read %p as a refused token', (challenge) => {
    expect(refusesToken(challenge === undefined ? {} : { 'www-authenticate': challenge })).toBe(false);
  });
});

describe('asksForDpopNonce', () => {
  it.each([
    'DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof"',
    'DPoP algs="ES256 EdDSA", error="use_dpop_nonce"',
  ])('reads %s as the upstream asking for its DPoP nonce', (challenge) => {
    expect(asksForDpopNonce({ 'www-authenticate': challenge })).toBe(true);
    expect(asksForDpopNonce({ 'www-authenticate': ['Bearer realm="x"', challenge] } as never)).toBe(true);
  });

  it.each([
    undefined,
    'DPoP error="invalid_token"',
    'DPoP error="invalid_dpop_proof"',
    'Bearer error="use_dpop_nonce"',
  ])('does not read %p as a nonce challenge', (challenge) => {
    expect(asksForDpopNonce(challenge === undefined ? {} : { 'www-authenticate': challenge })).toBe(false);
  });
});

describe('UpstreamExchange and a traced call', () => {
  class FakeResponse extends EventEmitter {
    headersSent = false;
    destroyed = false;
    writableEnded = false;
    writeHead(): this {
      this.headersSent = true;
      return this;
    }
    write(): boolean {
      return true;
    }
    end(): void {
      this.writableEnded = true;
    }
  }

  function exchange(): { handler: UpstreamExchange; observer: jest.Mocked<Required<ExchangeObserver>> } {
    const observer = {
      answered: jest.fn(),
      failed: jest.fn(),
      abandoned: jest.fn(),
      retry: jest.fn(),
      settled: jest.fn(),
    };
    const handler = new UpstreamExchange(new FakeResponse() as unknown as ServerResponse, observer, (value) => value);
    handler.onRequestStart({ abort: jest.fn(), aborted: false } as unknown as Dispatcher.DispatchController);
    return { handler, observer };
  }

  it('settles once when the body ended, after the answer', () => {
    const { handler, observer } = exchange();
    handler.onResponseStart({} as Dispatcher.DispatchController, 200, {});
    handler.onResponseEnd();
    expect(observer.answered).toHaveBeenCalledWith(200, {});
    expect(observer.settled).toHaveBeenCalledTimes(1);
    expect(observer.settled).toHaveBeenCalledWith();
  });

  it('settles with the error before reporting a failure', () => {
    const { handler, observer } = exchange();
    const error = new Error('connect ECONNREFUSED');
    handler.onResponseError({} as Dispatcher.DispatchController, error);
    expect(observer.settled).toHaveBeenCalledWith(error);
    expect(observer.failed).toHaveBeenCalledWith(error);
    expect(observer.settled.mock.invocationCallOrder[0]).toBeLessThan(observer.failed.mock.invocationCallOrder[0]!);
  });

  it('stops an exchange whose browser was gone before it began, and reports it abandoned, not failed', () => {
    const observer = { answered: jest.fn(), failed: jest.fn(), abandoned: jest.fn(), retry: jest.fn() };
    const response = Object.assign(new FakeResponse(), { destroyed: true });
    const handler = new UpstreamExchange(response as unknown as ServerResponse, observer, (value) => value);
    const controller = { abort: jest.fn<undefined, [Error]>(), aborted: false };
    handler.onRequestStart(controller as unknown as Dispatcher.DispatchController);
    expect(controller.abort).toHaveBeenCalledWith(expect.objectContaining({ name: 'BrowserGoneError' }));
    // undici ends an aborted dispatch with the abort's reason.
    handler.onResponseError({} as Dispatcher.DispatchController, controller.abort.mock.calls[0]![0]);
    expect(observer.abandoned).toHaveBeenCalledTimes(1);
    expect(observer.failed).not.toHaveBeenCalled();
    expect(response.listenerCount('close')).toBe(0);
  });
});
