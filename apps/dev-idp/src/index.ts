export { createDevIdp } from './dev-idp';
export type { DevIdp, DevIdpFault, DevIdpOptions, DevIdpStats } from './dev-idp';
export type { DevIdpClient } from './provider-config';
export { DEV_USERS } from './dev-users';
export type { DevUser } from './dev-users';
