import { idpOperationOf } from './idp-fetch';

const METADATA = {
  issuer: 'https://idp.example',
  token_endpoint: 'https://idp.example/oauth/token',
  pushed_authorization_request_endpoint: 'https://idp.example/oauth/par',
  revocation_endpoint: 'https://idp.example/oauth/revoke',
  jwks_uri: 'https://idp.example/jwks',
  userinfo_endpoint: 'https://idp.example/me',
};

const form = (grantType: string): URLSearchParams => new URLSearchParams({ grant_type: grantType, code: 'secret' });

describe('idpOperationOf', () => {
  it.each([
    ['authorization_code', form('authorization_code')],
    ['refresh_token', form('refresh_token')],
    ['client_credentials', form('client_credentials')],
    ['token_exchange', form('urn:ietf:params:oauth:grant-type:token-exchange')],
    ['token', form('urn:ietf:params:oauth:grant-type:device_code')],
    ['token', undefined],
  ])('names a token endpoint call %s by its grant type', (operation, body) => {
    expect(idpOperationOf(new URL(METADATA.token_endpoint), body, METADATA)).toBe(operation);
  });

  it.each([
    ['https://idp.example/oauth/par', 'par'],
    ['https://idp.example/oauth/revoke', 'revocation'],
    ['https://idp.example/jwks', 'jwks'],
    ['https://idp.example/me', 'userinfo'],
    ['https://idp.example/.well-known/openid-configuration', 'discovery'],
    ['https://idp.example/elsewhere', 'other'],
    ['https://other.example/oauth/token', 'other'],
  ])('names a call to %s "%s"', (url, operation) => {
    expect(idpOperationOf(new URL(url), undefined, METADATA)).toBe(operation);
  });

  it('names discovery before the metadata is known, and nothing else', () => {
    expect(idpOperationOf(new URL('https://idp.example/.well-known/openid-configuration'), undefined, undefined)).toBe(
      'discovery',
    );
    expect(idpOperationOf(new URL(METADATA.token_endpoint), form('refresh_token'), undefined)).toBe('other');
  });
});
