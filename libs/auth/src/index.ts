export {
  CrossSiteRequestError,
  IdpBadResponseError,
  IdpLoginError,
  IdpUnavailableError,
  InvalidLogoutTokenError,
  InvalidReturnToError,
  LoginStateError,
  LoginValidationError,
  LogoutSidMismatchError,
} from './auth.errors';
export { AuthModule } from './auth.module';
export { allowedOriginsOf, assertBrowserRequest } from './csrf';
export { classifyIdpFailure } from './idp-failure';
export { LoginTransactions, type LoginTransaction } from './login-transactions';
export { OidcClient, type TokenSet } from './oidc-client';
export { validateReturnTo } from './return-to';
