import type { BffClient, BffNotifications, ServerFrame, SessionEndedBy } from './client/index.js';
import { BffHttpError } from './client/index.js';
import { describeError } from './describe-error.js';
import { prependEntry, setStatus } from './dom.js';
import { el } from './elements.js';

const NOTIFICATION_LIMIT = 50;

/**
 * `#ws-status[data-state]`: `connecting` until the server's `ready` frame, then `connected` (from
 * then on nothing sent is missed), `reconnecting` while waiting to retry, `idle` when signed out,
 * and the final `session-ended` or `stopped` (the server refused the page). The text is the same
 * word, except that both final states read `closed`; `#ws-detail` says more.
 */
type SocketState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'session-ended' | 'stopped';
const FINAL_STATES: ReadonlySet<string> = new Set<SocketState>(['session-ended', 'stopped']);

export interface NotificationsPanel {
  start(): void;
  stop(): void;
  send(event: SubmitEvent): Promise<void>;
}

/** The WebSocket view and "Send notification" (the demo API publishes it to the caller's user channel). */
export function createNotificationsPanel(
  bff: BffClient,
  onSessionEnded: (detectedBy: SessionEndedBy) => void,
): NotificationsPanel {
  let stream: BffNotifications | undefined;

  function setSocketState(state: SocketState, detail = ''): void {
    el.wsStatus.dataset.state = state;
    el.wsStatus.textContent = FINAL_STATES.has(state) ? 'closed' : state;
    el.wsDetail.textContent = detail;
  }

  function start(): void {
    if (stream) return;
    setSocketState('connecting');
    const current = bff.notifications();
    stream = current;
    current.on('open', () => {
      setSocketState('connecting', 'socket open, waiting for the server to subscribe it');
    });
    current.on('ready', () => {
      setSocketState('connected');
    });
    current.on('message', appendFrame);
    current.on('reconnecting', ({ attempt, delayMs }) => {
      setSocketState('reconnecting', `attempt ${String(attempt)} in ${(delayMs / 1000).toFixed(1)} s`);
    });
    current.on('stopped', ({ code, reason }) => {
      stream = undefined;
      setSocketState('stopped', `by the server: ${String(code)} ${reason}`.trim());
    });
    current.on('session-ended', ({ detectedBy }) => {
      stream = undefined;
      setSocketState('session-ended', `the session ended (${detectedBy})`);
      onSessionEnded(detectedBy);
    });
  }

  function stop(): void {
    stream?.close();
    stream = undefined;
    // A final state says why the socket ended; signing out afterwards keeps it.
    if (!FINAL_STATES.has(el.wsStatus.dataset.state ?? '')) setSocketState('idle');
  }

  async function send(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const message = el.notifyMessage.value.trim();
    if (!message) {
      setStatus(el.notifyResult, 'Type a message first.', 'warn');
      return;
    }
    el.sendNotification.disabled = true;
    setStatus(el.notifyResult, 'Sending…', 'pending');
    try {
      await bff.fetch('demo', '/notify', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ message }),
      });
      setStatus(el.notifyResult, 'Sent. It arrives below through the WebSocket.', 'ok');
      el.notifyMessage.value = '';
    } catch (error) {
      // A 401 already signed the page out (the client's onUnauthenticated hook).
      if (!(error instanceof BffHttpError && error.status === 401)) {
        setStatus(el.notifyResult, `Not sent: ${describeError(error)}`, 'error');
      }
    } finally {
      el.sendNotification.disabled = false;
    }
  }

  return { start, stop, send };
}

/** A notification shows its message; any other frame its type and data. Text only, never HTML. */
function appendFrame(frame: ServerFrame): void {
  const data = frame.data as { message?: unknown } | undefined;
  const isNotification = frame.type === 'notification' && typeof data?.message === 'string';
  const text = isNotification
    ? String(data.message)
    : `[${frame.type}] ${frame.data === undefined ? '' : JSON.stringify(frame.data)}`;
  const item = prependEntry(el.notifications, text, NOTIFICATION_LIMIT);
  item.dataset.type = frame.type;
  if (isNotification) item.className = 'notification';
}
