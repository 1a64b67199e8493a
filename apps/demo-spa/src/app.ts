// The demo SPA, on the BFF's browser client (./client/). The page holds no token: the BFF keeps
// them, and every call carries only the session cookie. Server values are written with
// textContent, never as HTML.
import {
  BffNetworkError,
  BffTimeoutError,
  createBffClient,
  type BffUser,
  type SessionEndedBy,
} from './client/index.js';
import { createApiPanel } from './api-panel.js';
import { describeError } from './describe-error.js';
import { el } from './elements.js';
import { createNotificationsPanel } from './notifications-panel.js';
import { createSessionsPanel } from './sessions-panel.js';
import { renderSignedIn, renderSignedOut, setUserState, showExpiring, showNotice } from './session-view.js';

const SESSION_ENDED = 'Your session has ended. Log in again.';

const bff = createBffClient({
  onUnauthenticated: (event) => {
    // The session is fine, but the route wants a stronger login (the demo's "Sensitive action"
    // asks for the second factor): go to the login the BFF named, back to this page.
    if (event.reason === 'step_up_required') {
      event.login();
      return;
    }
    // The demo shows the signed-out page and lets the user press "Log in" (an app could call
    // event.login() instead, or log in in a pop-up and then event.retry()).
    signOut(SESSION_ENDED, 'unauthenticated');
  },
});
const api = createApiPanel(bff);
const sessions = createSessionsPanel(bff);
const notifications = createNotificationsPanel(bff, (detectedBy) => {
  signOut(SESSION_ENDED, detectedBy);
});
let stopWatch: (() => void) | undefined;

/** `detectedBy`: how the page learnt of the session (`page`: its own `/auth/user` call). */
function signIn(user: BffUser, detectedBy?: string): void {
  renderSignedIn(user, detectedBy);
  notifications.start();
  void sessions.refresh();
  // Warns a minute before the session expires; a new session gets a new watch.
  stopWatch = bff.watchSession();
}

/** Once signed out, a later call keeps the first `detectedBy` and only updates the notice. */
function signOut(message?: string, detectedBy?: string): void {
  notifications.stop();
  sessions.clear();
  stopWatch?.();
  stopWatch = undefined;
  if (el.user.dataset.state === 'signed-out') {
    if (message !== undefined) showNotice(message, 'warn');
    return;
  }
  renderSignedOut(message, detectedBy);
}

async function loadUser(detectedBy?: string): Promise<void> {
  try {
    const user = await bff.user();
    if (user) signIn(user, detectedBy);
    else signOut(undefined, detectedBy);
  } catch (error) {
    const offline = error instanceof BffNetworkError || error instanceof BffTimeoutError;
    setUserState('error', offline ? 'Offline' : 'Unknown');
    showNotice(
      offline
        ? 'The BFF cannot be reached. Reload to try again.'
        : `Could not load the session: ${describeError(error)}`,
      'error',
    );
  }
}

/**
 * The session this page knew ended (here, or in another tab: the client's tab sync). The page
 * shows it at once, then asks the BFF once: the tabs share one cookie, and a login completed in
 * another tab meanwhile (which ends the session it replaces) leaves this browser signed in.
 */
function sessionEnded(detectedBy: SessionEndedBy): void {
  signOut(SESSION_ENDED, detectedBy);
  void loadUser();
}

bff.on('session-ended', ({ detectedBy }) => {
  sessionEnded(detectedBy);
});
bff.on('logged-out', ({ detectedBy }) => {
  signOut('You logged out in another tab.', detectedBy);
});
bff.on('signed-in', ({ detectedBy }) => void loadUser(detectedBy));
bff.on('expiring', ({ expiresAt }) => {
  showExpiring(expiresAt);
});

async function logout(): Promise<void> {
  try {
    if (!(await bff.logout())) signOut();
  } catch (error) {
    showNotice(`Could not log out: ${describeError(error)}`, 'error');
  }
}

el.login.addEventListener('click', () => {
  bff.login();
});
el.logout.addEventListener('click', (event) => {
  event.preventDefault();
  void logout();
});
el.callApi.addEventListener('click', () => void api.call('demo'));
el.callReports.addEventListener('click', () => void api.call('reports'));
el.callPublic.addEventListener('click', () => void api.call('public'));
el.callSensitive.addEventListener('click', () => void api.call('sensitive'));
el.refreshSessions.addEventListener('click', () => void sessions.refresh());
el.notifyForm.addEventListener('submit', (event) => void notifications.send(event));
void loadUser();
