import { Injectable } from '@nestjs/common';
import type { CookieSerializeOptions } from '@fastify/cookie';
import { ServerConfig, SessionConfig } from '@bff/config';

/**
 * Names and attributes of the BFF's cookies. The session cookie is HttpOnly,
 * Secure, `__Host-` prefixed (Path=/, no Domain) and SameSite=Strict by default;
 * the login-transaction cookie must be Lax to survive the IdP's top-level
 * redirect back. Dev mode on plain http drops Secure and the prefix.
 */
@Injectable()
export class SessionCookies {
  readonly sessionName: string;
  readonly loginName: string;
  private readonly secure: boolean;

  constructor(
    private readonly session: SessionConfig,
    server: ServerConfig,
  ) {
    this.secure = !server.devInsecureCookies;
    this.sessionName = session.cookieName;
    this.loginName = this.secure ? '__Host-bff-login' : 'bff-login';
  }

  sessionOptions(): CookieSerializeOptions {
    return { ...this.base(), sameSite: this.session.cookieSameSite, maxAge: this.session.absoluteTimeoutSeconds };
  }

  loginOptions(): CookieSerializeOptions {
    return { ...this.base(), sameSite: 'lax', maxAge: this.session.loginTimeoutSeconds };
  }

  /** Attributes to expire a cookie (they must match for `__Host-` cookies to be replaced). */
  clearOptions(): CookieSerializeOptions {
    return { ...this.base(), sameSite: 'lax', maxAge: 0, expires: new Date(0) };
  }

  private base(): CookieSerializeOptions {
    return { httpOnly: true, secure: this.secure, path: '/' };
  }
}
