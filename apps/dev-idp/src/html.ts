/** Escapes text for an HTML text node or a double-quoted attribute value. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (c) => `&#${String(c.charCodeAt(0))};`);
}

/** Wraps a body fragment in a minimal page; no external resources, so it works offline. */
export function renderPage(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:22rem;margin:3rem auto;padding:0 1rem}
label,input,button{display:block;width:100%;box-sizing:border-box;margin:.4rem 0}
input,button{padding:.5rem;font-size:1rem}.error{color:#b00020}.hint{color:#555;font-size:.9rem}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

/** Inputs needed to render the login form. */
export interface LoginFormView {
  /** Name of the client asking for the login, shown to the user. */
  clientName: string;
  /** Pre-filled username after a failed attempt. */
  username?: string;
  error?: string;
}

/**
 * The login page: one form posting back to the same interaction URL, inputs `username` and
 * `password`, exactly one submit button (the demo's contract: tests and scripts drive it).
 */
export function renderLoginForm(view: LoginFormView): string {
  const error = view.error ? `<p class="error" role="alert">${escapeHtml(view.error)}</p>\n` : '';
  return renderPage(
    'Sign in - dev IdP',
    `<h1>Sign in</h1>
<p class="hint">to ${escapeHtml(view.clientName)} (demo users: alice/alice, bob/bob)</p>
${error}<form method="post" autocomplete="off">
<label for="username">Username</label>
<input id="username" name="username" value="${escapeHtml(view.username ?? '')}" autofocus required>
<label for="password">Password</label>
<input id="password" name="password" type="password" required>
<button type="submit">Sign in</button>
</form>`,
  );
}

/** Inputs needed to render the second-factor form. */
export interface OtpFormView {
  clientName: string;
  /** The demo code, shown on the page: this IdP is for development. */
  demoCode: string;
  error?: string;
}

/**
 * The second step of a login that asked for `urn:dev-idp:mfa`: one form posting back to the same
 * interaction URL, input `otp`, exactly one submit button.
 */
export function renderOtpForm(view: OtpFormView): string {
  const error = view.error ? `<p class="error" role="alert">${escapeHtml(view.error)}</p>\n` : '';
  return renderPage(
    'Second factor - dev IdP',
    `<h1>Enter your code</h1>
<p class="hint">${escapeHtml(view.clientName)} asks for a second factor. Demo code: <strong id="demo-code">${escapeHtml(view.demoCode)}</strong></p>
${error}<form method="post" autocomplete="off">
<label for="otp">One-time code</label>
<input id="otp" name="otp" inputmode="numeric" autocomplete="one-time-code" autofocus required>
<button type="submit">Verify</button>
</form>`,
  );
}

/**
 * RP-initiated logout confirmation. oidc-provider hands us its form (with the xsrf field); we add
 * `logout=yes` so the whole IdP session ends (the next login shows the form again, so the demo
 * can switch users), auto-submit it for a one-click demo, and keep a visible button for no-JS.
 */
export function renderLogoutConfirm(form: string, host: string): string {
  return renderPage(
    'Sign out - dev IdP',
    `<h1>Sign out from ${escapeHtml(host)}?</h1>
${form}
<input type="hidden" form="op.logoutForm" name="logout" value="yes">
<button type="submit" form="op.logoutForm">Sign out</button>
<script>document.getElementById('op.logoutForm').submit();</script>`,
  );
}

/** Page shown after a logout without a post_logout_redirect_uri. */
export function renderLoggedOut(): string {
  return renderPage('Signed out - dev IdP', '<h1>Signed out</h1><p>You are signed out of the dev IdP.</p>');
}

/** Error page; the provider's error fields are escaped since they may echo request input. */
export function renderErrorPage(fields: Record<string, string | undefined>): string {
  const rows = Object.entries(fields)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([k, v]) => `<p><strong>${escapeHtml(k)}</strong>: ${escapeHtml(v)}</p>`)
    .join('\n');
  return renderPage('Error - dev IdP', `<h1>Something went wrong</h1>\n${rows}`);
}
