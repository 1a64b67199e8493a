// The demo SPA, on the BFF's browser client (./client/). The page holds no token: the BFF keeps
// them, and every call carries only the session cookie. Server values are written with
// textContent, never as HTML.
import { BffNetworkError, BffTimeoutError, createBffClient, type BffUser } from './client/index.js';
import { createApiPanel } from './api-panel.js';
import { describeError } from './describe-error.js';
import { el } from './elements.js';
import { createNotificationsPanel } from './notifications-panel.js';
import { renderSignedIn, renderSignedOut, setUserState, showNotice } from './session-view.js';

const SESSION_ENDED = 'Your session has ended. Log in again.';

const bff = createBffClient({
  // The demo shows the signed-out page and lets the user press "Log in" (an app could call
  // event.login() instead, or log in in a pop-up and then event.retry()).
  onUnauthenticated: () => {
    signOut(SESSION_ENDED);
  },
});
const api = createApiPanel(bff);
const notifications = createNotificationsPanel(bff, () => {
  signOut(SESSION_ENDED);
});

function signIn(user: BffUser): void {
  renderSignedIn(user);
  notifications.start();
}

function signOut(message?: string): void {
  notifications.stop();
  renderSignedOut(message);
}

async function loadUser(): Promise<void> {
  try {
    const user = await bff.user();
    if (user) signIn(user);
    else signOut();
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
el.notifyForm.addEventListener('submit', (event) => void notifications.send(event));
void loadUser();
