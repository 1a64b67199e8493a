import type { Logger } from '@nestjs/common';
import type { UpstreamRoute } from '@bff/config';
import { DpopKey } from '@bff/dpop';
import type { RouteTokens } from '@bff/token';
import { BffTracing } from '@bff/tracing';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Dispatcher, Pool } from 'undici';
import { forwardUpstream, type ProxyState, type RouteForwarding } from './upstream-forwarding';
import type { UpstreamProofs } from './upstream-proofs';

/** A proof that settles when the test says so: the thread pool's signature, under the test's control. */
function deferredProof(): { promise: Promise<string>; resolve(proof: string): void; reject(error: Error): void } {
  let resolve: (proof: string) => void = () => undefined;
  let reject: (error: Error) => void = () => undefined;
  const promise = new Promise<string>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

function setup(state: ProxyState) {
  const proof = deferredProof();
  const dispatched: Dispatcher.DispatchOptions[] = [];
  const refused: unknown[] = [];
  const debug = jest.fn();
  const pool = {
    dispatch: (options: Dispatcher.DispatchOptions) => {
      dispatched.push(options);
      return true;
    },
  } as unknown as Pool;
  const forwarding: RouteForwarding = {
    route: { name: 'orders', upstream: 'http://api.internal', token: 'user' } as UpstreamRoute,
    pools: { reads: pool, uploads: pool },
    location: { upstreamOrigin: 'http://api.internal', basePath: '', browserPrefix: '/api/orders' },
    publicProto: 'https',
    publicHost: 'app.example',
    trustProxy: false,
    bodyLimitBytes: 1024,
    proofs: { proofFor: () => proof.promise, remember: () => undefined } as unknown as UpstreamProofs,
    tokens: {} as RouteTokens,
    tracing: BffTracing.OFF,
    logger: { debug, log: jest.fn() } as unknown as Logger,
    count: () => undefined,
    renderRawError: (error) => {
      refused.push(error);
    },
  };
  const raw = { destroyed: false, once: () => undefined };
  const request = {
    method: 'GET',
    headers: { cookie: 'bff=secret' },
    socket: { remoteAddress: '127.0.0.1' },
    id: 'req-1',
    bffProxy: state,
  } as unknown as FastifyRequest;
  const reply = { raw, hijack: () => undefined } as unknown as FastifyReply;
  return { forwarding, request, reply, raw, proof, dispatched, refused, debug };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('forwardUpstream with a DPoP-bound token', () => {
  const dpopKey = DpopKey.generate('ES256');

  it('sends the call once its proof is signed, with the proof and the token as DPoP', async () => {
    const { forwarding, request, reply, proof, dispatched } = setup({
      target: '/orders/7',
      accessToken: 'at',
      dpopKey,
    });
    forwardUpstream(forwarding, request, reply);
    await settle();
    expect(dispatched).toHaveLength(0);
    proof.resolve('signed.proof.value');
    await settle();
    expect(dispatched).toHaveLength(1);
    expect(dispatched[0]?.headers).toMatchObject({ authorization: 'DPoP at', dpop: 'signed.proof.value' });
    expect(dispatched[0]?.headers).not.toHaveProperty('cookie');
  });

  it('makes no upstream call when the browser left while the proof was signed', async () => {
    const { forwarding, request, reply, raw, proof, dispatched, debug } = setup({
      target: '/orders/7',
      accessToken: 'at',
      dpopKey,
    });
    forwardUpstream(forwarding, request, reply);
    raw.destroyed = true;
    proof.resolve('signed.proof.value');
    await settle();
    expect(dispatched).toHaveLength(0);
    expect(debug).toHaveBeenCalledWith(expect.stringContaining('abandoned'));
  });

  it('answers with an error, and makes no call, when the proof cannot be signed', async () => {
    const { forwarding, request, reply, proof, dispatched, refused } = setup({
      target: '/orders/7',
      accessToken: 'at',
      dpopKey,
    });
    forwardUpstream(forwarding, request, reply);
    const failure = new Error('signing failed');
    proof.reject(failure);
    await settle();
    expect(dispatched).toHaveLength(0);
    expect(refused).toEqual([failure]);
  });
});
