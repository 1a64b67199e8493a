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
export { LOGIN_TRANSACTION_STORE, type LoginTransactionStore } from './login-transaction.store';
export { LoginTransactions, type LoginTransaction } from './login-transactions';
export { MemoryLoginTransactionStore } from './memory-login-transaction.store';
export { OidcClient, TOKEN_EXCHANGE_GRANT, type TokenSet, type TokenTarget } from './oidc-client';
export { RedisLoginTransactionStore } from './redis-login-transaction.store';
export { validateReturnTo } from './return-to';
