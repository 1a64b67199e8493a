export { createDevIdp } from './dev-idp';
export type { DevIdp, DevIdpClientStats, DevIdpFault, DevIdpOptions, DevIdpResources, DevIdpStats } from './dev-idp';
export { CLIENT_CREDENTIALS_GRANT_TYPE } from './client-credentials.grant';
export { ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT_TYPE } from './token-exchange.grant';
export type { DevIdpClient } from './provider-config';
export type { DevIdpFapiOptions } from './fapi-mode';
export { DEV_USERS } from './dev-users';
export type { DevUser } from './dev-users';
export { DEMO_OTP, DEV_ACR_MFA, DEV_ACR_PASSWORD, DEV_ACR_VALUES } from './second-factor';
