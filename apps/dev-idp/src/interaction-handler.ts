import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import { authenticateDevUser } from './dev-users';
import { renderErrorPage, renderLoginForm, renderOtpForm } from './html';
import { authenticationOf, DEMO_OTP, type PendingSecondFactors, wantsSecondFactor } from './second-factor';

/** What the interaction handler keeps between requests and how it clocks a login. */
export interface InteractionOptions {
  /** Passwords checked in interactions that still wait for the second factor. */
  pending: PendingSecondFactors;
  /** The `auth_time` (epoch seconds) of a login finishing now. */
  loginTs: () => number;
}

/** A login form is a few dozen bytes; anything bigger is not a browser posting it. */
const MAX_FORM_BYTES = 16 * 1024;

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    // The login page never needs script; this also neuters anything that slipped through escaping.
    // No form-action: Chrome applies it to the redirects after the POST, which end at the RP.
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  });
  res.end(html);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) throw new Error('form body too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/**
 * Serves the interaction URL (`/interaction/<uid>`): GET shows the login form, POST checks the
 * credentials and hands the result to oidc-provider, which redirects (303) back to /auth.
 * When the request's `acr_values` ask for `urn:dev-idp:mfa`, a right password shows a second form
 * asking for the demo code (input `otp`) before the login finishes. Consent never needs a page:
 * `loadExistingGrant` grants the request (see provider-config.ts).
 */
export async function handleInteraction(
  provider: Provider,
  options: InteractionOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { pending } = options;
  let details;
  try {
    details = await provider.interactionDetails(req, res);
  } catch (err) {
    // Expired or unknown interaction (cookie gone, IdP restarted): the user has to start over.
    const message = err instanceof Error ? err.message : String(err);
    sendHtml(res, 400, renderErrorPage({ error: 'invalid_request', error_description: message }));
    return;
  }

  const clientId = typeof details.params.client_id === 'string' ? details.params.client_id : '';
  const clientName = (await provider.Client.find(clientId))?.clientName ?? clientId;

  if (details.prompt.name !== 'login') {
    // loadExistingGrant grants every request, so only native clients or RAR could ask for consent,
    // and the dev IdP registers neither; fail loudly rather than show a page nobody expects.
    const error_description = `unexpected prompt "${details.prompt.name}"`;
    sendHtml(res, 400, renderErrorPage({ error: 'invalid_request', error_description }));
    return;
  }

  const waitingAccount = pending.accountOf(details.uid);
  const otpForm = (status: number, error?: string): void =>
    sendHtml(res, status, renderOtpForm({ clientName, demoCode: DEMO_OTP, ...(error ? { error } : {}) }));
  if (req.method === 'GET') {
    if (waitingAccount) otpForm(200);
    else sendHtml(res, 200, renderLoginForm({ clientName }));
    return;
  }
  if (req.method !== 'POST') {
    res.writeHead(405, { allow: 'GET, POST' }).end();
    return;
  }

  let form: URLSearchParams;
  try {
    form = await readForm(req);
  } catch {
    sendHtml(res, 413, renderLoginForm({ clientName, error: 'Request too large.' }));
    return;
  }
  let accountId: string;
  let withOtp = false;
  if (waitingAccount && form.has('otp')) {
    if (form.get('otp') !== DEMO_OTP) {
      // Asked again; no lockout: the code is printed on the page anyway.
      otpForm(401, 'Wrong code.');
      return;
    }
    pending.forget(details.uid);
    accountId = waitingAccount;
    withOtp = true;
  } else {
    const username = form.get('username') ?? '';
    const user = authenticateDevUser(username, form.get('password') ?? '');
    if (!user) {
      // 401 with the form again: a browser shows it, a script sees the failure in the status.
      sendHtml(res, 401, renderLoginForm({ clientName, username, error: 'Wrong username or password.' }));
      return;
    }
    if (wantsSecondFactor(details.params.acr_values)) {
      pending.remember(details.uid, user.username);
      otpForm(200);
      return;
    }
    accountId = user.username;
  }
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId, ts: options.loginTs(), ...authenticationOf(withOtp) } },
    { mergeWithLastSubmission: false },
  );
}
