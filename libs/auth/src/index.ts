export {
  ClientJwksNotPublishedError,
  CrossSiteRequestError,
  IdpBadResponseError,
  IdpLoginError,
  IdpRequirementsError,
  IdpUnavailableError,
  InvalidLogoutTokenError,
  InvalidReturnToError,
  LoginStateError,
  LoginValidationError,
  LogoutSidMismatchError,
} from './auth.errors';
export { AuthModule } from './auth.module';
export { ClientAssertionKeys } from './client-assertion-keys';
export { allowedOriginsOf, assertBrowserRequest } from './csrf';
export { classifyIdpFailure } from './idp-failure';
export { LOGIN_TRANSACTION_STORE, type LoginTransactionStore } from './login-transaction.store';
export { LoginTransactions, type LoginTransaction, type PendingLogin } from './login-transactions';
export { MemoryLoginTransactionStore } from './memory-login-transaction.store';
export {
  OidcClient,
  TOKEN_EXCHANGE_GRANT,
  type AuthorizationRequest,
  type TokenSet,
  type TokenTarget,
} from './oidc-client';
export { expectedIdTokenAlg, providerProblems, usesPar } from './provider-requirements';
export { RedisLoginTransactionStore } from './redis-login-transaction.store';
export { validateReturnTo } from './return-to';
