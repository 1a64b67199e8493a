import { timingSafeEqual } from 'node:crypto';
import type { Account, FindAccount } from 'oidc-provider';

/** A demo user of the dev IdP: the password is the username, as the README's demo says. */
export interface DevUser {
  /** Login name, also the OIDC `sub`. */
  username: string;
  password: string;
  /** Claims released in the ID token for the `profile` and `email` scopes. */
  claims: {
    name: string;
    given_name: string;
    family_name: string;
    email: string;
    email_verified: boolean;
  };
}

/** The demo users `alice`/`alice` and `bob`/`bob`. */
export const DEV_USERS: readonly DevUser[] = Object.freeze([
  {
    username: 'alice',
    password: 'alice',
    claims: {
      name: 'Alice Example',
      given_name: 'Alice',
      family_name: 'Example',
      email: 'alice@example.com',
      email_verified: true,
    },
  },
  {
    username: 'bob',
    password: 'bob',
    claims: {
      name: 'Bob Example',
      given_name: 'Bob',
      family_name: 'Example',
      email: 'bob@example.com',
      email_verified: true,
    },
  },
]);

/** Returns the user whose username and password match, or undefined. */
export function authenticateDevUser(username: string, password: string): DevUser | undefined {
  const user = DEV_USERS.find((u) => u.username === username);
  if (!user) return undefined;
  const given = Buffer.from(password);
  const expected = Buffer.from(user.password);
  // Constant-time compare: a dev IdP, but no reason to teach the timing-leak pattern.
  return given.length === expected.length && timingSafeEqual(given, expected) ? user : undefined;
}

/**
 * oidc-provider's `findAccount`: `sub` is the username; `claims()` returns every claim and the
 * provider filters them by the granted scopes (profile → name/given_name/family_name, email → email/email_verified).
 */
export const findDevAccount: FindAccount = (_ctx, sub): Account | undefined => {
  const user = DEV_USERS.find((u) => u.username === sub);
  if (!user) return undefined;
  return {
    accountId: user.username,
    claims: () => ({ sub: user.username, ...user.claims }),
  };
};
