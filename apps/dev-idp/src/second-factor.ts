import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';

/** The `acr` of a password-only login at the dev IdP. */
export const DEV_ACR_PASSWORD = 'urn:dev-idp:pwd';
/** The `acr` of a login with the password and the demo one-time code. */
export const DEV_ACR_MFA = 'urn:dev-idp:mfa';
/** The `acr` values the dev IdP can satisfy, advertised in discovery (`acr_values_supported`). */
export const DEV_ACR_VALUES: readonly string[] = [DEV_ACR_PASSWORD, DEV_ACR_MFA];
/**
 * The second factor's code: fixed and shown on the page, because this IdP is for development.
 * A wrong code asks again without a lockout or attempt counter (nothing to protect here).
 */
export const DEMO_OTP = '123456';

/** How the user authenticated, as the interaction result's `login` carries it. */
export interface DevAuthentication {
  acr: string;
  amr: string[];
}

/** True when the request's space-separated `acr_values` ask for the second factor. */
export function wantsSecondFactor(acrValues: unknown): boolean {
  return typeof acrValues === 'string' && acrValues.split(' ').includes(DEV_ACR_MFA);
}

/** The acr/amr of a finished login, with or without the code. */
export function authenticationOf(withOtp: boolean): DevAuthentication {
  return withOtp ? { acr: DEV_ACR_MFA, amr: ['pwd', 'otp'] } : { acr: DEV_ACR_PASSWORD, amr: ['pwd'] };
}

/**
 * The accounts whose password is checked in an interaction that still needs the code, by
 * interaction uid. In memory (one dev IdP process) and bounded by the interaction's lifetime.
 */
export class PendingSecondFactors {
  private readonly byInteraction = new Map<string, { accountId: string; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Remembers that the password of `accountId` was right in interaction `uid`. */
  remember(uid: string, accountId: string): void {
    this.dropExpired();
    this.byInteraction.set(uid, { accountId, expiresAt: this.now() + this.ttlMs });
  }

  /** The account waiting for its code in interaction `uid`, if any and not expired. */
  accountOf(uid: string): string | undefined {
    this.dropExpired();
    return this.byInteraction.get(uid)?.accountId;
  }

  /** Forgets interaction `uid` (the login finished). */
  forget(uid: string): void {
    this.byInteraction.delete(uid);
  }

  private dropExpired(): void {
    const now = this.now();
    for (const [uid, entry] of this.byInteraction) if (entry.expiresAt <= now) this.byInteraction.delete(uid);
  }
}

/**
 * oidc-provider's default interaction policy plus one login check: a request whose `acr_values`
 * ask for the second factor prompts for a login unless the IdP session already has it. Without
 * it, `acr_values` are voluntary (OIDC Core §3.1.2.1) and a password session would be reused,
 * so a step-up could never raise `acr`. With `prompt=none` the check yields `login_required`.
 */
export function devInteractionPolicy(): interactionPolicy.DefaultPolicy {
  const policy = interactionPolicy.base();
  policy
    .get('login')
    ?.checks.add(
      new interactionPolicy.Check(
        'acr_values_mfa',
        'the requested second factor is missing',
        (ctx: KoaContextWithOIDC) =>
          wantsSecondFactor(ctx.oidc.params?.acr_values) && ctx.oidc.acr !== DEV_ACR_MFA
            ? interactionPolicy.Check.REQUEST_PROMPT
            : interactionPolicy.Check.NO_NEED_TO_PROMPT,
      ),
    );
  return policy;
}
