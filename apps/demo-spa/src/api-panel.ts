import type { BffClient } from './client/index.js';
import { BffHttpError } from './client/index.js';
import { describeError } from './describe-error.js';
import { formatTime, prependEntry, setStatus, show } from './dom.js';
import { el } from './elements.js';

const HISTORY_LIMIT = 10;

/** `#api-result[data-state]` once a call was made (index.html starts it as `idle`). */
type ApiState = 'pending' | 'ok' | 'error';

/**
 * The demo API behind three BFF routes, one per token policy; `#api-result[data-api]` names the
 * one of the last answer:
 * - `demo` (`user`): `/me` echoes the user's access token; its `exp` changes when the BFF refreshed it;
 * - `reports` (`exchange`): the user's token exchanged for the reports audience;
 * - `public` (`client`): the BFF's own client-credentials token, no user;
 * - `sensitive` (`user`, with `acr: ['urn:dev-idp:mfa']`): a session without the second factor is
 *   answered 401 `step_up_required`, and the page's hook goes to the login that asks for it.
 */
export type ApiName = 'demo' | 'reports' | 'public' | 'sensitive';

interface ApiCall {
  /** The BFF route and the path under it. */
  path: string;
  /** For the caption and the history. */
  label: string;
  button: HTMLButtonElement;
}

const CALLS: Record<ApiName, ApiCall> = {
  demo: { path: '/me', label: 'API', button: el.callApi },
  reports: { path: '/summary', label: 'Reports API', button: el.callReports },
  public: { path: '/catalog', label: 'Public API', button: el.callPublic },
  sensitive: { path: '/sensitive', label: 'Sensitive action', button: el.callSensitive },
};

/** What each route of the demo API echoes about the access token it received. */
interface TokenEcho {
  /** How the BFF presented it: `DPoP` (bound to a key, with a proof) or `Bearer`. */
  token_type?: unknown;
  aud?: unknown;
  sub?: unknown;
  client_id?: unknown;
  exp?: unknown;
}

/** `DPoP` says the token is bound to the BFF's key and came with a fresh proof (RFC 9449). */
function describeTokenType(value: unknown): string {
  if (value === 'DPoP') return 'DPoP (bound to the BFF’s key, sent with a proof)';
  return text(value);
}

function text(value: unknown): string {
  if (value === undefined || value === null) return '—';
  if (Array.isArray(value)) return value.map(String).join(', ');
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** "Call API", "Call reports API", "Call public API": each shows the body and which token the API got. */
export function createApiPanel(bff: BffClient): { call: (api: ApiName) => Promise<void> } {
  let lastTokenExp: number | undefined;

  function setState(api: ApiName, state: ApiState, status?: number): void {
    el.apiResult.dataset.api = api;
    el.apiResult.dataset.state = state;
    if (status === undefined) delete el.apiResult.dataset.status;
    else el.apiResult.dataset.status = String(status);
  }

  function showBody(body: unknown): void {
    el.apiBody.textContent =
      body === undefined || body === '' ? '' : typeof body === 'string' ? body : JSON.stringify(body, null, 2);
  }

  /**
   * How the token came (DPoP or Bearer), its `aud`, `sub` and `client_id`; `sub` equal to
   * `client_id` is the BFF's own token.
   */
  function showToken(api: ApiName, token: TokenEcho | undefined): void {
    show(el.apiToken, token !== undefined);
    if (!token) return;
    el.apiTokenCaption.textContent = `Token the ${CALLS[api].label} received`;
    el.apiTokenType.textContent = describeTokenType(token.token_type);
    el.apiTokenAud.textContent = text(token.aud);
    const clientsOwn = token.sub !== undefined && token.sub === token.client_id;
    el.apiTokenSub.textContent = `${text(token.sub)}${clientsOwn ? ' (the BFF itself: no user)' : ''}`;
    el.apiTokenClientId.textContent = text(token.client_id);
  }

  /** The user token's expiry: a new `exp` on the same route means the BFF refreshed it. */
  function describeExp(exp: unknown): { line: string; refreshed: boolean } {
    if (typeof exp !== 'number') return { line: 'no exp', refreshed: false };
    const refreshed = lastTokenExp !== undefined && exp !== lastTokenExp;
    lastTokenExp = exp;
    const expires = formatTime(new Date(exp * 1000));
    el.tokenExpiry.textContent = `access token expires at ${expires}`;
    return { line: `token exp ${expires}${refreshed ? ' (new token: refreshed)' : ''}`, refreshed };
  }

  function recordAnswer(api: ApiName, status: number, token: TokenEcho): void {
    el.tokenExpiry.textContent = '';
    const { line, refreshed } =
      api === 'demo'
        ? describeExp(token.exp)
        : {
            line: `aud ${text(token.aud)}, sub ${text(token.sub)}, client_id ${text(token.client_id)}`,
            refreshed: false,
          };
    const entry = prependEntry(
      el.apiHistory,
      `${CALLS[api].label}: ${String(status)} ${text(token.token_type)} — ${line}`,
      HISTORY_LIMIT,
    );
    if (refreshed) entry.className = 'highlight';
  }

  async function call(api: ApiName): Promise<void> {
    const { path, label, button } = CALLS[api];
    button.disabled = true;
    setState(api, 'pending');
    setStatus(el.apiStatus, `Calling the ${label}…`, 'pending');
    try {
      const response = await bff.fetch(api, path);
      const body = (await response.json()) as TokenEcho;
      setState(api, 'ok', response.status);
      setStatus(el.apiStatus, `${label}: ${String(response.status)} ${response.statusText || 'OK'}`.trim(), 'ok');
      showBody(body);
      showToken(api, body);
      recordAnswer(api, response.status, body);
    } catch (error) {
      el.tokenExpiry.textContent = '';
      showToken(api, undefined);
      if (error instanceof BffHttpError) {
        // A 401 already signed the page out, or went to the step-up login (the client's onUnauthenticated hook).
        const reason =
          error.status !== 401
            ? describeError(error)
            : error.errorCode === 'step_up_required'
              ? 'A second factor is needed (401 step_up_required): going to the login.'
              : 'Session ended (401): log in again.';
        setState(api, 'error', error.status);
        setStatus(el.apiStatus, `${label}: ${reason}`, 'error');
        showBody(error.body);
        prependEntry(el.apiHistory, `${label}: ${reason}`, HISTORY_LIMIT);
        return;
      }
      setState(api, 'error');
      setStatus(el.apiStatus, `${label}: request failed: ${describeError(error)}`, 'error');
      showBody(undefined);
    } finally {
      button.disabled = false;
    }
  }

  return { call };
}
