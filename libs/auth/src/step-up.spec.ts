import { StepUpRequiredError } from './auth.errors';
import { assertStepUp, stepUpLoginUrl, stepUpReturnTo } from './step-up';

const ORIGIN = 'https://app.example';
const MFA = 'urn:dev-idp:mfa';

function refusalOf(run: () => void): StepUpRequiredError {
  try {
    run();
  } catch (error) {
    if (error instanceof StepUpRequiredError) return error;
    throw error;
  }
  throw new Error('expected a step-up refusal');
}

describe('assertStepUp', () => {
  it('passes without a list and when the session acr is in the list', () => {
    expect(() => assertStepUp(undefined, undefined, {}, ORIGIN)).not.toThrow();
    expect(() => assertStepUp(['a', MFA], MFA, {}, ORIGIN)).not.toThrow();
  });

  it('refuses another or a missing session acr with 401 step_up_required and a loginUrl', () => {
    for (const sessionAcr of ['urn:dev-idp:pwd', undefined]) {
      const refusal = refusalOf(() =>
        assertStepUp([MFA, 'urn:x y'], sessionAcr, { referer: `${ORIGIN}/orders?id=1` }, ORIGIN),
      );
      expect(refusal.status).toBe(401);
      expect(refusal.code).toBe('step_up_required');
      expect(refusal.fields).toEqual({
        loginUrl: '/auth/login?acr_values=urn%3Adev-idp%3Amfa%20urn%3Ax%20y&returnTo=%2Forders%3Fid%3D1',
      });
    }
  });
});

describe('stepUpReturnTo', () => {
  it.each([
    [`${ORIGIN}/orders?id=1#top`, '/orders?id=1'],
    [ORIGIN, '/'],
    [undefined, '/'],
    ['not a url', '/'],
    ['https://evil.example/orders', '/'],
    ['http://app.example/orders', '/'],
    ['https://app.example:8443/orders', '/'],
    [`${ORIGIN}/%2F%2Fevil.example`, '/'],
    [`${ORIGIN}/${'a'.repeat(3000)}`, '/'],
  ])('Referer %s → %s', (referer, returnTo) => {
    expect(stepUpReturnTo(referer, ORIGIN)).toBe(returnTo);
  });
});

describe('stepUpLoginUrl', () => {
  it('encodes the space-joined acr list and the returnTo under /auth/login', () => {
    expect(stepUpLoginUrl(['a&b=c'], '/x?y=1&z=2')).toBe(
      '/auth/login?acr_values=a%26b%3Dc&returnTo=%2Fx%3Fy%3D1%26z%3D2',
    );
  });
});
