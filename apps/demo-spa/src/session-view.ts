import type { BffUser } from './client/index.js';
import { relative, setStatus, show } from './dom.js';
import { el } from './elements.js';

/** `#user[data-state]`: what the page knows about the session. */
export type SessionState = 'checking' | 'signed-in' | 'signed-out' | 'error';

const TIME_CLAIMS = new Set(['exp', 'iat', 'auth_time', 'nbf']);

/** Shown only to a signed-in user. */
const SIGNED_IN_SECTIONS = [el.session, el.api, el.devices, el.realtime];

export function renderSignedIn(user: BffUser, detectedBy?: string): void {
  setUserState('signed-in', `Signed in as ${user.sub}`, detectedBy);
  // A real link too, so the page logs out even before its script runs; the script asks for a fresh sid.
  el.logout.href = user.logoutUrl;
  show(el.logout, true);
  show(el.login, false);
  show(el.signedOut, false);
  // A notice of an ended session is old news once another tab's login signed this page in again.
  show(el.notice, false);
  for (const section of SIGNED_IN_SECTIONS) show(section, true);
  renderStatus(user);
  renderClaims(user.claims);
}

/**
 * The session's status from `/auth/user`: the earlier expiry, the idle one (moved by each call)
 * and the absolute one, and the `acr` the login reached ("—" for what the BFF does not send).
 */
export function renderStatus(user: BffUser): void {
  setTime(el.sessionExpiry, user.sessionExpiresAt);
  setTime(el.sessionIdleExpires, user.idleExpiresAt);
  setTime(el.sessionAbsoluteExpires, user.absoluteExpiresAt);
  el.sessionAcr.textContent = user.acr ?? '—';
  // An answer that moved the expiry past the one warned of ends the warning.
  const warned = el.sessionExpiring.dataset.expiresAt;
  if (warned !== undefined && Date.parse(user.sessionExpiresAt) > Date.parse(warned)) showExpiring(undefined);
}

/** `#session-expiring`: shown from the client's `expiring` event until the expiry moves or the session ends. */
export function showExpiring(expiresAt: string | undefined): void {
  show(el.sessionExpiring, expiresAt !== undefined);
  if (expiresAt === undefined) {
    delete el.sessionExpiring.dataset.expiresAt;
    el.sessionExpiring.textContent = '';
    return;
  }
  el.sessionExpiring.dataset.expiresAt = expiresAt;
  const date = new Date(expiresAt);
  el.sessionExpiring.textContent = `Your session expires soon (${date.toLocaleTimeString()}, ${relative(date)}) unless you use the page.`;
}

function setTime(node: HTMLTimeElement, iso: string | undefined): void {
  if (iso === undefined) {
    node.removeAttribute('datetime');
    node.textContent = '—';
    return;
  }
  const date = new Date(iso);
  node.dateTime = iso;
  node.textContent = `${date.toLocaleString()} (${relative(date)})`;
}

export function renderSignedOut(message?: string, detectedBy?: string): void {
  setUserState('signed-out', 'Not signed in', detectedBy);
  show(el.logout, false);
  show(el.login, true);
  show(el.signedOut, true);
  for (const section of SIGNED_IN_SECTIONS) show(section, false);
  showExpiring(undefined);
  if (message !== undefined) showNotice(message, 'warn');
}

/**
 * `#user[data-state]`, and `[data-detected-by]`: how the page learnt the latest change, `page`
 * (its own `/auth/user` call) or one of the client's `detectedBy` values (`other-tab`,
 * `close-code`, `unauthenticated`, `sessions-api`, …).
 */
export function setUserState(state: SessionState, text: string, detectedBy = 'page'): void {
  el.user.dataset.state = state;
  el.user.dataset.detectedBy = detectedBy;
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
