import * as oidc from 'openid-client';
import { IdpBadResponseError, IdpUnavailableError } from './auth.errors';
import { classifyIdpFailure } from './idp-failure';

/**
 * What openid-client throws when the token endpoint answers (or fails) this way:
 * a refresh token grant against a fake token endpoint, so each row is the
 * library's real error shape rather than a hand-made copy of it.
 */
async function refreshFailure(tokenEndpoint: () => Response): Promise<unknown> {
  const config = new oidc.Configuration(
    { issuer: 'https://idp.example', token_endpoint: 'https://idp.example/token' },
    'bff',
    'secret',
  );
  config[oidc.customFetch] = () => Promise.resolve().then(tokenEndpoint);
  return oidc.refreshTokenGrant(config, 'rt').then(
    () => {
      throw new Error('the fake token endpoint was expected to fail');
    },
    (error: unknown) => error,
  );
}

const oauthError = (status: number, error: string) => () =>
  Response.json({ error, error_description: 'from the fake token endpoint' }, { status });
const plain = (status: number, body: string) => () => new Response(body, { status });
const failing = (error: Error) => () => {
  throw error;
};
/** A non-OAuth answer: openid-client's ClientError whose cause is the Response itself. */
const notConform = (status: number) => ({
  name: 'ClientError',
  code: 'OAUTH_RESPONSE_IS_NOT_CONFORM',
  cause: { status },
});
/** How fetch (undici) reports a connection that failed: a TypeError whose cause carries the code. */
const fetchFailed = (code: string) =>
  new TypeError('fetch failed', { cause: Object.assign(new Error(code), { code }) });

describe('classifyIdpFailure', () => {
  it.each([
    ['invalid_grant in a 400 body', oauthError(400, 'invalid_grant'), 'invalid_grant'],
    ['invalid_client in a 401 body', oauthError(401, 'invalid_client'), 'invalid_client'],
    ['invalid_scope in a 400 body', oauthError(400, 'invalid_scope'), 'invalid_scope'],
  ])('returns an OAuth error answer (%s) as the rejection it names', async (_label, answer, rejected) => {
    const error = await refreshFailure(answer);
    expect(error).toBeInstanceOf(oidc.ResponseBodyError);
    expect(classifyIdpFailure(error)).toEqual({ rejected });
  });

  it('returns invalid_client from a Basic challenge, the way an IdP answers client_secret_basic', async () => {
    const error = await refreshFailure(
      () =>
        new Response(JSON.stringify({ error: 'invalid_client' }), {
          status: 401,
          headers: {
            'content-type': 'application/json',
            'www-authenticate':
              'Basic realm="idp", error="invalid_client", error_description="client authentication failed"',
          },
        }),
    );
    expect(error).toBeInstanceOf(oidc.WWWAuthenticateChallengeError);
    expect(classifyIdpFailure(error)).toEqual({ rejected: 'invalid_client' });
  });

  it.each([
    // oauth4webapi reads an OAuth error body only from a 4xx: a 5xx is a non-conforming answer whatever it holds.
    ['server_error in a 500 body', oauthError(500, 'server_error'), notConform(500)],
    ['a 500 without an OAuth body', plain(500, 'Internal Server Error'), notConform(500)],
    ['a 502 without an OAuth body', plain(502, '<html>Bad Gateway</html>'), notConform(502)],
    ['a 400 whose JSON names no error', () => Response.json({ message: 'no' }, { status: 400 }), notConform(400)],
    [
      'a 400 that is not JSON',
      plain(400, 'Bad Request'),
      { code: 'OAUTH_RESPONSE_IS_NOT_JSON', cause: { status: 400 } },
    ],
    ['a 200 that is not JSON', plain(200, 'not json'), { code: 'OAUTH_RESPONSE_IS_NOT_JSON', cause: { status: 200 } }],
  ])('classifies %s as an unusable answer (502)', async (_label, answer, shape) => {
    const error = await refreshFailure(answer);
    expect(error).toMatchObject(shape);
    expect(classifyIdpFailure(error)).toEqual({ unavailable: expect.any(IdpBadResponseError) });
    expect(classifyIdpFailure(error)).toMatchObject({ unavailable: { status: 502, code: 'idp_bad_response' } });
  });

  it.each([
    [
      'a timeout',
      failing(new DOMException('timed out', 'TimeoutError')),
      { name: 'ClientError', code: 'OAUTH_TIMEOUT' },
    ],
    [
      'an aborted request',
      failing(new DOMException('aborted', 'AbortError')),
      { name: 'ClientError', code: 'OAUTH_ABORT' },
    ],
    ['a refused connection', failing(fetchFailed('ECONNREFUSED')), { name: 'TypeError', message: 'fetch failed' }],
    ['a connect timeout', failing(fetchFailed('UND_ERR_CONNECT_TIMEOUT')), { name: 'TypeError' }],
    [
      'an unresolvable host',
      failing(Object.assign(new Error('getaddrinfo'), { code: 'ENOTFOUND' })),
      { cause: { code: 'ENOTFOUND' } },
    ],
  ])('classifies %s as the IdP being unavailable (503)', async (_label, answer, shape) => {
    const error = await refreshFailure(answer);
    expect(error).toMatchObject(shape);
    expect(classifyIdpFailure(error)).toEqual({ unavailable: expect.any(IdpUnavailableError) });
    expect(classifyIdpFailure(error)).toMatchObject({ unavailable: { status: 503, code: 'idp_unavailable' } });
  });

  it('returns the error of the authorization response (error= on the callback) as a rejection', () => {
    const error = new oidc.AuthorizationResponseError('authorization response from the server is an error', {
      cause: new URLSearchParams({ error: 'access_denied' }),
    });
    expect(classifyIdpFailure(error)).toEqual({ rejected: 'access_denied' });
  });

  it('returns anything else (here a token response without access_token) as invalid, for the caller to judge', async () => {
    const error = await refreshFailure(() => Response.json({ token_type: 'bearer' }));
    expect(error).toMatchObject({ name: 'ClientError', code: 'OAUTH_INVALID_RESPONSE' });
    expect(classifyIdpFailure(error)).toEqual({ invalid: error });
  });
});
