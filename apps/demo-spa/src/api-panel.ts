import type { BffClient } from './client/index.js';
import { BffHttpError } from './client/index.js';
import { describeError } from './describe-error.js';
import { formatTime, prependEntry, setStatus } from './dom.js';
import { el } from './elements.js';

const HISTORY_LIMIT = 10;

/** `#api-result[data-state]` once a call was made (index.html starts it as `idle`). */
type ApiState = 'pending' | 'ok' | 'error';

/**
 * "Call API": `GET /api/demo/me` through the BFF, which returns the claims of the access token the
 * BFF injected. The token's `exp` changes when the BFF has refreshed it; the history marks that.
 */
export function createApiPanel(bff: BffClient): { callApi: () => Promise<void> } {
  let lastTokenExp: number | undefined;

  function setState(state: ApiState, text: string, status?: number): void {
    el.apiResult.dataset.state = state;
    if (status === undefined) delete el.apiResult.dataset.status;
    else el.apiResult.dataset.status = String(status);
    setStatus(el.apiStatus, text, state);
  }

  function showBody(body: unknown): void {
    el.apiBody.textContent =
      body === undefined || body === '' ? '' : typeof body === 'string' ? body : JSON.stringify(body, null, 2);
  }

  function recordTokenExp(exp: unknown): void {
    if (typeof exp !== 'number') {
      el.tokenExpiry.textContent = 'The response carries no exp claim.';
      prependEntry(el.apiHistory, '200 — no exp', HISTORY_LIMIT);
      return;
    }
    const refreshed = lastTokenExp !== undefined && exp !== lastTokenExp;
    lastTokenExp = exp;
    const expires = formatTime(new Date(exp * 1000));
    el.tokenExpiry.textContent = `access token expires at ${expires}`;
    const entry = prependEntry(
      el.apiHistory,
      `200 — token exp ${expires}${refreshed ? ' (new token: refreshed)' : ''}`,
      HISTORY_LIMIT,
    );
    if (refreshed) entry.className = 'highlight';
  }

  async function callApi(): Promise<void> {
    el.callApi.disabled = true;
    setState('pending', 'Calling…');
    try {
      const response = await bff.fetch('demo', '/me');
      const body = (await response.json()) as { exp?: unknown };
      setState('ok', `${String(response.status)} ${response.statusText || 'OK'}`.trim(), response.status);
      showBody(body);
      recordTokenExp(body.exp);
    } catch (error) {
      el.tokenExpiry.textContent = '';
      if (error instanceof BffHttpError) {
        // A 401 already signed the page out (the client's onUnauthenticated hook).
        const text = error.status === 401 ? 'Session ended (401): log in again.' : describeError(error);
        setState('error', text, error.status);
        showBody(error.body);
        prependEntry(el.apiHistory, text, HISTORY_LIMIT);
        return;
      }
      setState('error', `Request failed: ${describeError(error)}`);
      showBody(undefined);
    } finally {
      el.callApi.disabled = false;
    }
  }

  return { callApi };
}
