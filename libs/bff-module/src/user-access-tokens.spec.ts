import { accessTokenHash, DpopKey, jwkThumbprint, type DpopPublicJwk } from '@bff/dpop';
import type { ProxyConfig } from '@bff/config';
import type { OpenedSession, SessionRecord } from '@bff/session';
import type { RouteTokens, TokenRefresher } from '@bff/token';
import { viewOfSession } from './current-session';
import { UserAccessTokens } from './user-access-tokens';

function partOf(jwt: string, index: number): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[index] ?? '', 'base64url').toString()) as Record<string, unknown>;
}

function tokensFor(record: Partial<SessionRecord>): {
  tokens: UserAccessTokens;
  view: ReturnType<typeof viewOfSession>;
} {
  const session = {
    ticket: { id: 's1' },
    expiresAt: Date.now() + 60_000,
    record: { sub: 'alice', claims: {}, ...record },
  } as unknown as OpenedSession;
  // A session whose token is fresh: the refresher hands it back as it is.
  const refresher = { ensureFresh: (opened: OpenedSession) => Promise.resolve(opened) };
  const tokens = new UserAccessTokens(
    { routes: [] } as unknown as ProxyConfig,
    refresher as unknown as TokenRefresher,
    {} as RouteTokens,
  );
  return { tokens, view: viewOfSession(session) };
}

describe('UserAccessTokens.headersFor', () => {
  it('presents a DPoP-bound token with the DPoP scheme and a proof of the session key for that one call', async () => {
    const key = DpopKey.generate('ES256');
    const { tokens, view } = tokensFor({
      tokens: { accessToken: 'AT', tokenType: 'DPoP', idToken: 'id' },
      dpopKey: key.toPrivateJwk(),
    });
    const headers = await tokens.headersFor(view, {
      method: 'POST',
      url: 'https://api.example/orders?x=1',
      nonce: 'n-1',
    });
    expect(headers.authorization).toBe('DPoP AT');
    const proof = headers.dpop ?? '';
    expect(jwkThumbprint(partOf(proof, 0).jwk as DpopPublicJwk)).toBe(key.thumbprint);
    expect(partOf(proof, 1)).toMatchObject({
      htm: 'POST',
      htu: 'https://api.example/orders',
      ath: accessTokenHash('AT'),
      nonce: 'n-1',
    });
  });

  it('presents an unbound token as Bearer, without a proof', async () => {
    const { tokens, view } = tokensFor({ tokens: { accessToken: 'AT', tokenType: 'Bearer', idToken: 'id' } });
    expect(await tokens.headersFor(view, { method: 'GET', url: 'https://api.example/me' })).toEqual({
      authorization: 'Bearer AT',
    });
  });
});
