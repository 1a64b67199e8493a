import { toErrorResponse } from '@bff/errors';
import type { FastifyInstance } from 'fastify';
import { InvalidLogoutTokenError } from './auth.errors';
import { isFormEncoded, LOGOUT_TOKEN_ROUTE_CONFIG, refuseUnencodedLogoutTokens } from './logout-token-request';

describe('isFormEncoded', () => {
  it.each([
    'application/x-www-form-urlencoded',
    'application/x-www-form-urlencoded; charset=UTF-8',
    'Application/X-WWW-Form-URLEncoded',
    ' application/x-www-form-urlencoded ;charset=utf-8',
  ])('accepts %p', (contentType) => {
    expect(isFormEncoded(contentType)).toBe(true);
  });

  it.each([
    undefined,
    '',
    'application/json',
    'text/plain',
    'multipart/form-data; boundary=x',
    'application/x-www-form-urlencoded-evil',
    'application/xml; x=application/x-www-form-urlencoded',
  ])('refuses %p', (contentType) => {
    expect(isFormEncoded(contentType)).toBe(false);
  });
});

describe('InvalidLogoutTokenError', () => {
  it('renders one body whatever the reason, keeping the reason and its cause for the log', () => {
    const cause = Object.assign(new Error('"exp" claim timestamp check failed'), { code: 'ERR_JWT_EXPIRED' });
    const errors = [
      new InvalidLogoutTokenError('logout_token is missing'),
      new InvalidLogoutTokenError('the signature or a registered claim failed verification', cause),
      new InvalidLogoutTokenError('jti already used'),
    ];
    const rendered = errors.map((error) => JSON.stringify(toErrorResponse(error)));
    expect(new Set(rendered)).toEqual(
      new Set([
        JSON.stringify({
          status: 400,
          body: { error: 'invalid_logout_token', message: 'The logout token was refused.' },
        }),
      ]),
    );
    expect(errors[1]!.reason).toBe('the signature or a registered claim failed verification');
    expect((errors[1]!.cause as Error).message).toBe('the signature or a registered claim failed verification');
    expect((errors[1]!.cause as Error).cause).toBe(cause);
  });
});

describe('refuseUnencodedLogoutTokens', () => {
  type Hook = (request: unknown, reply: unknown, done: (error?: Error) => void) => void;
  let hook: Hook;
  beforeAll(() => {
    // Only the hook's registration is of interest here; the e2e suite drives it inside the BFF.
    const fastify = {
      addHook: (name: string, handler: Hook) => {
        expect(name).toBe('onRequest');
        hook = handler;
      },
    };
    refuseUnencodedLogoutTokens(fastify as unknown as FastifyInstance);
  });

  /** Runs the hook for a request to a route with the given config; returns what it passed to done. */
  function run(config: object | undefined, contentType: string | undefined): Error | undefined {
    const outcomes: (Error | undefined)[] = [];
    hook({ routeOptions: { config }, headers: { 'content-type': contentType } }, {}, (error) => outcomes.push(error));
    expect(outcomes).toHaveLength(1);
    return outcomes[0];
  }

  it.each(['application/json', 'text/plain', 'application/xml', undefined])(
    'refuses %p on the marked route, before any body parser runs',
    (contentType) => {
      const error = run({ ...LOGOUT_TOKEN_ROUTE_CONFIG }, contentType);
      expect(error).toBeInstanceOf(InvalidLogoutTokenError);
      expect(toErrorResponse(error).body).toEqual({
        error: 'invalid_logout_token',
        message: 'The logout token was refused.',
      });
    },
  );

  it('lets a form body through on the marked route', () => {
    expect(run({ ...LOGOUT_TOKEN_ROUTE_CONFIG }, 'application/x-www-form-urlencoded')).toBeUndefined();
  });

  it.each([undefined, {}, { bffLogoutTokenPost: 'yes' }])('leaves routes with config %p alone', (config) => {
    expect(run(config, 'application/json')).toBeUndefined();
  });
});
