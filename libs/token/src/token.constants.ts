/** Injection token of the {@link ClientTokenCache}. */
export const CLIENT_TOKEN_CACHE = Symbol('CLIENT_TOKEN_CACHE');
