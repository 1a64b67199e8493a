export {
  ClientJwksNotPublishedError,
  CrossSiteRequestError,
  IdpBadResponseError,
  IdpLoginError,
  IdpRequirementsError,
  IdpUnavailableError,
  InternalEndpointDisabledError,
  InternalTokenError,
  InvalidLoginParameterError,
  InvalidLogoutTokenError,
  InvalidReturnToError,
  LoginStateError,
  LoginValidationError,
  LogoutSidMismatchError,
  StepUpRequiredError,
} from './auth.errors';
export { AuthModule } from './auth.module';
export { ClientAssertionKeys } from './client-assertion-keys';
export { allowedOriginsOf, assertBrowserRequest } from './csrf';
export { classifyIdpFailure } from './idp-failure';
export { internalTokenCheck } from './internal-token';
export { LOGIN_TRANSACTION_STORE, type LoginTransactionStore } from './login-transaction.store';
export {
  loginParameterProblem,
  readLoginQuery,
  type ForwardedLoginParameters,
  type LoginQuery,
} from './login-parameters';
export { LoginTransactions, type LoginTransaction, type PendingLogin } from './login-transactions';
export { MemoryLoginTransactionStore } from './memory-login-transaction.store';
export { OidcClient, type AuthorizationRequest } from './oidc-client';
export { TOKEN_EXCHANGE_GRANT, type TokenSet, type TokenTarget } from './token-set';
export { expectedIdTokenAlg, providerProblems, usesPar } from './provider-requirements';
export { RedisLoginTransactionStore } from './redis-login-transaction.store';
export { validateReturnTo } from './return-to';
export { assertStepUp, stepUpLoginUrl, stepUpReturnTo } from './step-up';
export { parseSlide, type UserInfo } from './user.service';
