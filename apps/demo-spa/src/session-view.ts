import type { BffUser } from './client/index.js';
import { relative, setStatus, show } from './dom.js';
import { el } from './elements.js';

/** `#user[data-state]`: what the page knows about the session. */
export type SessionState = 'checking' | 'signed-in' | 'signed-out' | 'error';

const TIME_CLAIMS = new Set(['exp', 'iat', 'auth_time', 'nbf']);

export function renderSignedIn(user: BffUser): void {
  setUserState('signed-in', `Signed in as ${user.sub}`);
  // A real link too, so the page logs out even before its script runs; the script asks for a fresh sid.
  el.logout.href = user.logoutUrl;
  show(el.logout, true);
  show(el.login, false);
  show(el.signedOut, false);
  for (const section of [el.session, el.api, el.realtime]) show(section, true);
  const expires = new Date(user.sessionExpiresAt);
  el.sessionExpiry.dateTime = user.sessionExpiresAt;
  el.sessionExpiry.textContent = `${expires.toLocaleString()} (${relative(expires)})`;
  renderClaims(user.claims);
}

export function renderSignedOut(message?: string): void {
  setUserState('signed-out', 'Not signed in');
  show(el.logout, false);
  show(el.login, true);
  show(el.signedOut, true);
  for (const section of [el.session, el.api, el.realtime]) show(section, false);
  if (message !== undefined) showNotice(message, 'warn');
}

export function setUserState(state: SessionState, text: string): void {
  el.user.dataset.state = state;
  el.user.textContent = text;
}

export function showNotice(text: string, kind: 'warn' | 'error'): void {
  setStatus(el.notice, text, kind);
  show(el.notice, true);
}

function renderClaims(claims: Record<string, unknown>): void {
  const rows = Object.keys(claims)
    .sort()
    .map((name) => {
      const value = claims[name];
      const row = document.createElement('tr');
      const header = document.createElement('th');
      const cell = document.createElement('td');
      header.scope = 'row';
      header.textContent = name;
      cell.textContent =
        TIME_CLAIMS.has(name) && typeof value === 'number'
          ? `${String(value)} — ${formatEpoch(value)}`
          : typeof value === 'string'
            ? value
            : JSON.stringify(value);
      row.append(header, cell);
      return row;
    });
  el.claims.tBodies[0]?.replaceChildren(...rows);
}

function formatEpoch(seconds: number): string {
  const date = new Date(seconds * 1000);
  return `${date.toLocaleString()} (${relative(date)})`;
}
