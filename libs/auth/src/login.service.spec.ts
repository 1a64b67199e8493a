import { OidcConfig, SessionConfig, ServerConfig } from '@bff/config';
import { createTicket, SessionCookies, type OpenedSession, type SessionService } from '@bff/session';
import {
  IdpBadResponseError,
  IdpLoginError,
  IdpUnavailableError,
  InvalidLoginParameterError,
  InvalidReturnToError,
} from './auth.errors';
import type { LoginTransaction, LoginTransactions } from './login-transactions';
import { LoginService, withLoginError } from './login.service';
import type { OidcClient } from './oidc-client';
import { PendingLoginCookies } from './pending-login-cookies';

const loginCookies = (maxPending = 8) => {
  const config = Object.assign(new SessionConfig(), { loginMaxPending: maxPending, loginTimeoutSeconds: 600 });
  return new PendingLoginCookies(new SessionCookies(config, new ServerConfig()), config);
};

/** Records what the login asked of the provider and the sessions, and does nothing else. */
function loginServiceWith(transaction: LoginTransaction, endSession: () => Promise<void> = () => Promise.resolve()) {
  const calls: string[] = [];
  const oidcClient = {
    redirectUri: 'https://bff.example/auth/callback',
    exchangeCode: () => {
      calls.push('exchangeCode');
      return Promise.reject(new Error('not expected in this test'));
    },
  };
  const transactions = { finish: () => Promise.resolve(transaction) };
  const sessions = {
    open: () => {
      calls.push('open');
      return Promise.resolve(undefined);
    },
    create: () => {
      calls.push('create');
      return Promise.reject(new Error('not expected in this test'));
    },
    end: (session: OpenedSession) => {
      calls.push(`end ${session.ticket.id}`);
      return endSession();
    },
  };
  const service = new LoginService(
    oidcClient as unknown as OidcClient,
    transactions as unknown as LoginTransactions,
    sessions as unknown as SessionService,
    loginCookies(),
    new OidcConfig(),
  );
  return { service, calls };
}

const transaction = (returnTo: string): LoginTransaction => ({
  nonce: 'n',
  codeVerifier: 'v',
  returnTo,
  createdAt: Date.now(),
});

describe('LoginService.complete', () => {
  it.each(['/\u3002evil.com', '/a\u2028b', '//evil.example', '/a\\b'])(
    'refuses a stored returnTo of %j before the code is exchanged or any session is touched',
    async (returnTo) => {
      const { service, calls } = loginServiceWith(transaction(returnTo));
      await expect(service.complete('state=s&code=c', 'cookie', undefined)).rejects.toBeInstanceOf(
        InvalidReturnToError,
      );
      expect(calls).toEqual([]);
    },
  );

  it('goes on to the code exchange with a stored returnTo that is still valid', async () => {
    const { service, calls } = loginServiceWith(transaction('/orders?id=1'));
    await expect(service.complete('state=s&code=c', 'cookie', undefined)).rejects.toThrow();
    expect(calls).toEqual(['exchangeCode']);
  });

  it.each(['login_required', 'interaction_required', 'consent_required', 'account_selection_required'])(
    "answers the provider's %s with returnTo?login_error=, touching no session and no code",
    async (code) => {
      const { service, calls } = loginServiceWith(transaction('/orders?id=1#top'));
      await expect(service.complete(`state=s&error=${code}`, 'cookie', 'previous')).resolves.toEqual({
        loginError: code,
        returnTo: `/orders?id=1&login_error=${code}#top`,
      });
      expect(calls).toEqual([]);
    },
  );

  it('keeps refusing any other provider error with 400 idp_error', async () => {
    const { service } = loginServiceWith(transaction('/'));
    await expect(service.complete('state=s&error=access_denied', 'cookie', undefined)).rejects.toBeInstanceOf(
      IdpLoginError,
    );
  });
});

describe('withLoginError', () => {
  it.each([
    ['/', '/?login_error=login_required'],
    ['/a?b=1', '/a?b=1&login_error=login_required'],
    ['/a#x?y', '/a?login_error=login_required#x?y'],
  ])('%s → %s', (returnTo, expected) => {
    expect(withLoginError(returnTo, 'login_required')).toBe(expected);
  });
});

describe('LoginService.abandon', () => {
  const session = { ticket: { id: 'abandoned-id' } } as OpenedSession;

  it('ends the session', async () => {
    const { service, calls } = loginServiceWith(transaction('/'));
    await service.abandon(session);
    expect(calls).toEqual(['end abandoned-id']);
  });

  it('never throws, even when the store cannot be reached (it runs after the response)', async () => {
    const { service, calls } = loginServiceWith(transaction('/'), () => Promise.reject(new Error('redis down')));
    await expect(service.abandon(session)).resolves.toBeUndefined();
    expect(calls).toEqual(['end abandoned-id']);
  });
});

describe('LoginService.announceReplaced', () => {
  it('announces, and never throws when the bus cannot be reached (it runs after the response)', async () => {
    const { service } = loginServiceWith(transaction('/'));
    const announce = jest.fn(() => Promise.resolve());
    await service.announceReplaced(announce);
    expect(announce).toHaveBeenCalledTimes(1);
    const failing = jest.fn(() => Promise.reject(new Error('redis down')));
    await expect(service.announceReplaced(failing)).resolves.toBeUndefined();
    expect(failing).toHaveBeenCalledTimes(1);
  });
});

describe('LoginService.begin', () => {
  /** Records the order of the login's steps; `authorize` plays the provider's part (PAR or not). */
  function beginWith(authorize: () => Promise<URL>, maxPending = 8, config = new OidcConfig()) {
    const calls: string[] = [];
    const requests: unknown[] = [];
    const kept: unknown[] = [];
    const ticket = createTicket();
    const oidcClient = {
      authorizationUrl: (request: unknown) => {
        calls.push('authorizationUrl');
        requests.push(request);
        return authorize();
      },
    };
    const transactions = {
      prepare: () => {
        calls.push('prepare');
        return { state: ticket.id, cookieValue: 'login-cookie', ticket };
      },
      keep: (_pending: unknown, transaction: unknown) => {
        calls.push('keep');
        kept.push(transaction);
        return Promise.resolve();
      },
      discard: (state: string) => {
        calls.push(`discard ${state}`);
        return Promise.resolve();
      },
    };
    const service = new LoginService(
      oidcClient as unknown as OidcClient,
      transactions as unknown as LoginTransactions,
      {} as SessionService,
      loginCookies(maxPending),
      config,
    );
    return { service, calls, ticket, requests, kept };
  }

  it('stores the transaction only once the provider took the authorization request', async () => {
    const { service, calls, ticket } = beginWith(() =>
      Promise.resolve(new URL('https://idp.example/auth?request_uri=x')),
    );
    await expect(service.begin('returnTo=%2Forders')).resolves.toEqual({
      authorizationUrl: 'https://idp.example/auth?request_uri=x',
      loginCookie: {
        name: `__Host-bff-login-${ticket.id.slice(0, 16)}`,
        value: expect.stringMatching(new RegExp(`^v1\\.${ticket.id}\\.[A-Za-z0-9_-]{43}\\.[0-9a-z]+$`)),
        options: expect.objectContaining({ sameSite: 'lax', httpOnly: true, secure: true, path: '/' }),
      },
      dropped: [],
    });
    expect(calls).toEqual(['prepare', 'authorizationUrl', 'keep']);
  });

  it("drops the browser's oldest pending login beyond SESSION_LOGIN_MAX_PENDING: its cookie and its transaction", async () => {
    const { service, calls } = beginWith(() => Promise.resolve(new URL('https://idp.example/auth')), 3);
    const cookies = loginCookies(3);
    const now = Date.now();
    const older = [createTicket(), createTicket(), createTicket()].map((t, i) => cookies.issue(t, now - 3000 + i));
    const requestCookies = Object.fromEntries(older.map((c) => [c.name, c.value]));
    const { dropped } = await service.begin('returnTo=%2F', { ...requestCookies, '__Host-bff': 'session', other: 'x' });
    // Three pending plus the new one is one too many, and two too many for the oldest two.
    expect(dropped).toEqual([older[0]!.name]);
    const oldestState = older[0]!.value.split('.')[1]!;
    expect(calls).toEqual(['prepare', 'authorizationUrl', 'keep', `discard ${oldestState}`]);
  });

  it.each<[string, Error, new (...args: never[]) => Error]>([
    [
      'an unreachable provider',
      new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }),
      IdpUnavailableError,
    ],
    ['a timeout', Object.assign(new Error('operation timed out'), { name: 'TimeoutError' }), IdpUnavailableError],
    [
      'a 5xx answer',
      Object.assign(new Error('unexpected HTTP response status code'), { code: 'OAUTH_RESPONSE_IS_NOT_CONFORM' }),
      IdpBadResponseError,
    ],
    ['anything else', new Error('unexpected'), IdpBadResponseError],
  ])('answers a failed push to %s as a failed token call, storing nothing', async (_label, failure, expected) => {
    const { service, calls } = beginWith(() => Promise.reject(failure));
    await expect(service.begin('')).rejects.toBeInstanceOf(expected);
    expect(calls).toEqual(['prepare', 'authorizationUrl']);
  });

  it('forwards the login parameters to the authorization request and keeps max_age in the transaction', async () => {
    const { service, requests, kept } = beginWith(() => Promise.resolve(new URL('https://idp.example/auth')));
    await service.begin('returnTo=%2Fpay&acr_values=urn%3Amfa&prompt=login&max_age=300&ui_locales=de-CH+fr');
    expect(requests[0]).toEqual(
      expect.objectContaining({
        parameters: { prompt: 'login', ui_locales: 'de-CH fr', acr_values: 'urn:mfa', max_age: '300' },
      }),
    );
    expect(kept[0]).toEqual(expect.objectContaining({ returnTo: '/pay', maxAge: 300 }));
  });

  it('refuses a parameter OIDC_LOGIN_PARAMETERS does not list before anything is prepared', async () => {
    const config = Object.assign(new OidcConfig(), { loginParameters: ['prompt'] });
    const { service, calls } = beginWith(() => Promise.resolve(new URL('https://idp.example/auth')), 8, config);
    await expect(service.begin('acr_values=mfa')).rejects.toBeInstanceOf(InvalidLoginParameterError);
    expect(calls).toEqual([]);
  });
});
