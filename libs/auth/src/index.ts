export {
  IdpBadResponseError,
  IdpLoginError,
  IdpUnavailableError,
  InvalidReturnToError,
  LoginStateError,
  LoginValidationError,
  LogoutSidMismatchError,
} from './auth.errors';
export { AuthModule } from './auth.module';
export { InvalidLogoutTokenError } from './backchannel-logout.service';
export { assertCsrfHeader } from './csrf';
export { classifyIdpFailure } from './idp-failure';
export { OidcClient, type TokenSet } from './oidc-client';
export { validateReturnTo } from './return-to';
