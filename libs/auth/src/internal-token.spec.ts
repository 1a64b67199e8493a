import { InternalEndpointDisabledError, InternalTokenError } from './auth.errors';
import { internalTokenCheck } from './internal-token';

describe('internalTokenCheck', () => {
  const check = internalTokenCheck('internal-token-0123456789');

  it('passes the configured bearer token', () => {
    expect(() => check('Bearer internal-token-0123456789')).not.toThrow();
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['without the Bearer scheme', 'internal-token-0123456789'],
    ['another scheme', 'Basic internal-token-0123456789'],
    ['a lower-case scheme', 'bearer internal-token-0123456789'],
    ['wrong', 'Bearer internal-token-012345678'],
    ['longer', 'Bearer internal-token-0123456789x'],
    ['repeated', ['Bearer internal-token-0123456789', 'Bearer internal-token-0123456789']],
  ])('refuses a token that is %s with 401 invalid_internal_token', (_label, authorization) => {
    expect(() => check(authorization)).toThrow(InternalTokenError);
  });

  it('answers 404 not_found for every call when no token is configured', () => {
    const off = internalTokenCheck(undefined);
    expect(() => off('Bearer anything')).toThrow(InternalEndpointDisabledError);
    const thrown = (() => {
      try {
        off(undefined);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(thrown).toMatchObject({ status: 404, code: 'not_found' });
  });
});
