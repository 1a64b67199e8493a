// Demo SPA for the BFF. Plain browser JS, no build step. Every value from the
// server is written with textContent, never as HTML.

const CSRF = { 'X-CSRF': '1' };
const HISTORY_LIMIT = 10;
const NOTIFICATION_LIMIT = 50;
const RECONNECT_BASE_MS = 1000;
const RECONNECT_CAP_MS = 30000;
const WS_SESSION_ENDED = 4001;

const $ = (id) => document.getElementById(id);
const el = {
  user: $('user'),
  login: $('login'),
  logout: $('logout'),
  notice: $('notice'),
  signedOut: $('signed-out'),
  session: $('session'),
  sessionExpiry: $('session-expiry'),
  claims: $('claims'),
  api: $('api'),
  callApi: $('call-api'),
  apiStatus: $('api-status'),
  tokenExpiry: $('token-expiry'),
  apiBody: $('api-body'),
  apiHistory: $('api-history'),
  realtime: $('realtime'),
  notifyForm: $('notify-form'),
  notifyMessage: $('notify-message'),
  sendNotification: $('send-notification'),
  notifyResult: $('notify-result'),
  wsStatus: $('ws-status'),
  notifications: $('notifications'),
};

let socket = null;
let reconnectTimer = null;
let reconnectAttempt = 0;
let signedIn = false;
let lastTokenExp = null;

// ---------- helpers ----------

function show(node, visible) {
  node.hidden = !visible;
}

function formatTime(date) {
  return date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

function formatEpoch(seconds) {
  const date = new Date(seconds * 1000);
  return `${date.toLocaleString()} (${relative(date)})`;
}

/** "in 5 min", "2 h ago": a rough distance from now. */
function relative(date) {
  const seconds = Math.round((date.getTime() - Date.now()) / 1000);
  const abs = Math.abs(seconds);
  const units = [
    [172800, 86400, 'd'],
    [5400, 3600, 'h'],
    [90, 60, 'min'],
  ];
  const [, size, unit] = units.find(([from]) => abs >= from) || [0, 1, 's'];
  const text = `${Math.round(abs / size)} ${unit}`;
  return seconds >= 0 ? `in ${text}` : `${text} ago`;
}

/** Reads a response body as JSON when it is JSON, else as text. */
async function readBody(res) {
  const text = await res.text();
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return text;
  }
}

/** One line for an error response: `code: message` from the BFF's JSON error body. */
function describeError(res, body) {
  if (res.status === 404) return 'API proxy not available yet (404)';
  if (body && typeof body === 'object' && (body.error || body.message)) {
    return [body.error, body.message].filter(Boolean).join(': ');
  }
  return `${res.status} ${res.statusText}`.trim();
}

function setStatus(node, text, kind) {
  node.textContent = text;
  node.dataset.kind = kind;
}

function loginUrl() {
  return '/auth/login?returnTo=' + encodeURIComponent(location.pathname);
}

// ---------- session ----------

async function loadUser() {
  let res;
  try {
    res = await fetch('/auth/user', { headers: CSRF, credentials: 'same-origin' });
  } catch {
    showNotice('The BFF cannot be reached. Reload to try again.', 'error');
    el.user.textContent = 'Offline';
    return;
  }
  if (res.status === 401) {
    showSignedOut();
    return;
  }
  const body = await readBody(res);
  if (!res.ok) {
    showNotice(`Could not load the session: ${describeError(res, body)}`, 'error');
    el.user.textContent = 'Unknown';
    return;
  }
  showSignedIn(body);
}

function showSignedIn(user) {
  signedIn = true;
  el.user.textContent = `Signed in as ${user.sub}`;
  el.logout.href = user.logoutUrl;
  show(el.logout, true);
  show(el.login, false);
  show(el.signedOut, false);
  show(el.session, true);
  show(el.api, true);
  show(el.realtime, true);

  const expires = new Date(user.sessionExpiresAt);
  el.sessionExpiry.dateTime = user.sessionExpiresAt;
  el.sessionExpiry.textContent = `${expires.toLocaleString()} (${relative(expires)})`;
  renderClaims(user.claims || {});
  connectSocket();
}

function showSignedOut(message) {
  signedIn = false;
  stopSocket();
  el.user.textContent = 'Not signed in';
  show(el.logout, false);
  show(el.login, true);
  show(el.signedOut, true);
  show(el.session, false);
  show(el.api, false);
  show(el.realtime, false);
  if (message) showNotice(message, 'warn');
}

function showNotice(text, kind) {
  setStatus(el.notice, text, kind);
  show(el.notice, true);
}

function renderClaims(claims) {
  const rows = Object.keys(claims)
    .sort()
    .map((name) => {
      const value = claims[name];
      const tr = document.createElement('tr');
      const th = document.createElement('th');
      const td = document.createElement('td');
      th.scope = 'row';
      th.textContent = name;
      const isTime = ['exp', 'iat', 'auth_time', 'nbf'].includes(name) && typeof value === 'number';
      td.textContent = isTime
        ? `${value} — ${formatEpoch(value)}`
        : typeof value === 'string'
          ? value
          : JSON.stringify(value);
      tr.append(th, td);
      return tr;
    });
  el.claims.tBodies[0].replaceChildren(...rows);
}

// ---------- API ----------

async function callApi() {
  el.callApi.disabled = true;
  setStatus(el.apiStatus, 'Calling…', 'pending');
  try {
    const res = await fetch('/api/demo/me', { headers: CSRF, credentials: 'same-origin' });
    const body = await readBody(res);
    if (res.status === 401) {
      showApiResult(res, body, 'error', 'Session ended (401): log in again.');
      showSignedOut('Your session has ended. Log in again.');
      return;
    }
    if (!res.ok) {
      showApiResult(res, body, 'error', describeError(res, body));
      addHistory(`${res.status} — ${describeError(res, body)}`);
      return;
    }
    showApiResult(res, body, 'ok', `${res.status} ${res.statusText || 'OK'}`.trim());
    recordTokenExp(body && typeof body.exp === 'number' ? body.exp : null);
  } catch (err) {
    setStatus(el.apiStatus, `Request failed: ${err.message}`, 'error');
    el.apiBody.textContent = '';
  } finally {
    el.callApi.disabled = false;
  }
}

function showApiResult(res, body, kind, text) {
  setStatus(el.apiStatus, text, kind);
  el.apiBody.textContent = body === null ? '' : typeof body === 'string' ? body : JSON.stringify(body, null, 2);
  if (kind !== 'ok') el.tokenExpiry.textContent = '';
}

function recordTokenExp(exp) {
  if (exp === null) {
    el.tokenExpiry.textContent = 'The response carries no exp claim.';
    addHistory('200 — no exp');
    return;
  }
  const changed = lastTokenExp !== null && exp !== lastTokenExp;
  lastTokenExp = exp;
  el.tokenExpiry.textContent = `access token expires at ${formatTime(new Date(exp * 1000))}`;
  addHistory(`200 — token exp ${formatTime(new Date(exp * 1000))}${changed ? ' (new token: refreshed)' : ''}`, changed);
}

function addHistory(text, highlight = false) {
  const li = document.createElement('li');
  const time = document.createElement('time');
  const now = new Date();
  time.dateTime = now.toISOString();
  time.textContent = formatTime(now);
  li.append(time, ` ${text}`);
  if (highlight) li.className = 'highlight';
  el.apiHistory.prepend(li);
  while (el.apiHistory.children.length > HISTORY_LIMIT) el.apiHistory.lastElementChild.remove();
}

// ---------- notifications ----------

async function sendNotification(event) {
  event.preventDefault();
  const message = el.notifyMessage.value.trim();
  if (!message) {
    setStatus(el.notifyResult, 'Type a message first.', 'warn');
    return;
  }
  el.sendNotification.disabled = true;
  setStatus(el.notifyResult, 'Sending…', 'pending');
  try {
    const res = await fetch('/api/demo/notify', {
      method: 'POST',
      headers: { ...CSRF, 'Content-Type': 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify({ message }),
    });
    const body = await readBody(res);
    if (res.status === 401) {
      showSignedOut('Your session has ended. Log in again.');
      return;
    }
    if (!res.ok) {
      setStatus(el.notifyResult, describeError(res, body), 'error');
      return;
    }
    setStatus(el.notifyResult, 'Sent. It arrives below through the WebSocket.', 'ok');
    el.notifyMessage.value = '';
  } catch (err) {
    setStatus(el.notifyResult, `Request failed: ${err.message}`, 'error');
  } finally {
    el.sendNotification.disabled = false;
  }
}

function setSocketState(state, text) {
  el.wsStatus.dataset.state = state;
  el.wsStatus.textContent = text;
}

function connectSocket() {
  if (socket || !signedIn) return;
  clearTimeout(reconnectTimer);
  reconnectTimer = null;
  const url = (location.protocol === 'https:' ? 'wss:' : 'ws:') + '//' + location.host + '/ws';
  setSocketState('connecting', 'connecting…');
  const ws = new WebSocket(url);
  let opened = false;
  socket = ws;

  ws.addEventListener('open', () => {
    opened = true;
    reconnectAttempt = 0;
    setSocketState('open', 'connected');
  });
  ws.addEventListener('message', (event) => {
    // `ready` says the socket's channels are subscribed and `pong` answers our own ping: not notifications.
    if (/^\{"type":"(ready|pong)"/.test(event.data)) return;
    appendFrame(event.data);
  });
  ws.addEventListener('close', (event) => {
    if (socket !== ws) return; // closed on purpose by stopSocket()
    socket = null;
    if (event.code === WS_SESSION_ENDED) {
      setSocketState('closed', 'closed: session ended');
      showSignedOut('Your session has ended. Log in again.');
      return;
    }
    scheduleReconnect(opened);
  });
}

/** Exponential back-off (1 s doubling to a 30 s cap) with "equal jitter". */
function scheduleReconnect(wasOpen) {
  if (!signedIn) return;
  const ceiling = Math.min(RECONNECT_CAP_MS, RECONNECT_BASE_MS * 2 ** reconnectAttempt);
  const delay = Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
  reconnectAttempt += 1;
  setSocketState('waiting', `connection lost, retrying in ${Math.ceil(delay / 1000)} s`);
  reconnectTimer = setTimeout(async () => {
    // A refused upgrade (e.g. 401) closes without opening: check the session
    // before trying again, so an expired session shows "signed out".
    if (!wasOpen && !(await sessionStillValid())) {
      showSignedOut('Your session has ended. Log in again.');
      return;
    }
    connectSocket();
  }, delay);
}

async function sessionStillValid() {
  try {
    const res = await fetch('/auth/user', { headers: CSRF, credentials: 'same-origin' });
    return res.status !== 401;
  } catch {
    return true; // BFF unreachable: keep retrying the socket
  }
}

function stopSocket() {
  clearTimeout(reconnectTimer);
  reconnectTimer = null;
  const ws = socket;
  socket = null;
  if (ws) ws.close(1000);
  if (el.wsStatus.dataset.state !== 'closed') setSocketState('idle', 'idle');
}

function appendFrame(raw) {
  const li = document.createElement('li');
  const time = document.createElement('time');
  const now = new Date();
  time.dateTime = now.toISOString();
  time.textContent = formatTime(now);
  let text;
  try {
    const frame = JSON.parse(raw);
    if (frame.type === 'notification' && frame.data && typeof frame.data.message === 'string') {
      text = frame.data.message;
      li.className = 'notification';
    } else {
      text = `[${frame.type}] ${JSON.stringify(frame.data)}`;
    }
  } catch {
    text = `[unparsable frame] ${String(raw)}`;
  }
  li.append(time, ` ${text}`);
  el.notifications.prepend(li);
  while (el.notifications.children.length > NOTIFICATION_LIMIT) {
    el.notifications.lastElementChild.remove();
  }
}

// ---------- wiring ----------

el.login.addEventListener('click', () => location.assign(loginUrl()));
el.callApi.addEventListener('click', callApi);
el.notifyForm.addEventListener('submit', sendNotification);
loadUser();
