import type { BffClient, BffSessionInfo } from './client/index.js';
import { BffHttpError } from './client/index.js';
import { describeError } from './describe-error.js';
import { relative, setStatus } from './dom.js';
import { el } from './elements.js';

/** `#sessions[data-state]`: `loading` while a list is asked for, then `ready` or `error` (`idle` before the first). */
type ListState = 'loading' | 'ready' | 'error';

export interface SessionsPanel {
  /** Lists the user's sessions again. */
  refresh(): Promise<void>;
  /** Signed out: the list belongs to nobody now. */
  clear(): void;
}

/**
 * "Your devices": one `li.session[data-handle][data-current]` per session of the user, with
 * when it logged in, its latest call and its browser, and a "Sign out" button
 * (`button.end-session`) that ends that session everywhere; the list is asked again afterwards.
 */
export function createSessionsPanel(bff: BffClient): SessionsPanel {
  /** Each refresh counts: an older answer arriving late never replaces a newer one. */
  let generation = 0;

  function setState(state: ListState): void {
    el.sessions.dataset.state = state;
  }

  async function refresh(): Promise<void> {
    const mine = ++generation;
    setState('loading');
    try {
      const sessions = await bff.sessions().list();
      if (mine !== generation) return;
      el.sessions.replaceChildren(...sessions.map((session) => renderSession(session)));
      setStatus(el.sessionsStatus, describeCount(sessions.length), 'ok');
      setState('ready');
    } catch (error) {
      if (mine !== generation) return;
      // A 401 ended the session: the client told the page, which shows it signed out.
      if (error instanceof BffHttpError && error.status === 401) return;
      setStatus(el.sessionsStatus, `Could not list the sessions: ${describeError(error)}`, 'error');
      setState('error');
    }
  }

  async function end(session: BffSessionInfo, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    setStatus(el.sessionsStatus, 'Signing that session out…', 'pending');
    try {
      await bff.sessions().end(session.handle);
      // Ending this browser's own session signs the page out (the client's `session-ended`).
      if (session.current) return;
      setStatus(el.sessionsStatus, 'Signed out that session.', 'ok');
    } catch (error) {
      if (error instanceof BffHttpError && error.status === 401) return;
      const gone = error instanceof BffHttpError && error.status === 404;
      setStatus(
        el.sessionsStatus,
        gone ? 'That session had already ended.' : `Could not sign it out: ${describeError(error)}`,
        gone ? 'warn' : 'error',
      );
    }
    await refresh();
  }

  function renderSession(session: BffSessionInfo): HTMLLIElement {
    const item = document.createElement('li');
    item.className = 'session';
    item.dataset.handle = session.handle;
    item.dataset.current = String(session.current);
    const agent = document.createElement('span');
    agent.className = 'user-agent';
    agent.textContent = session.userAgent ?? 'unknown browser';
    const created = timeOf('created-at', 'signed in', session.createdAt);
    const seen = timeOf('last-seen-at', 'last seen', session.lastSeenAt);
    item.append(agent, created, seen);
    if (session.current) {
      const mark = document.createElement('span');
      mark.className = 'this-device';
      mark.textContent = 'this device';
      item.append(mark);
    }
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'end-session secondary';
    button.textContent = 'Sign out';
    button.addEventListener('click', () => void end(session, button));
    item.append(button);
    return item;
  }

  function clear(): void {
    generation++;
    el.sessions.replaceChildren();
    el.sessionsStatus.textContent = '';
    el.sessions.dataset.state = 'idle';
  }

  return { refresh, clear };
}

/** `<span class="<name>">label <time datetime=…>…</time></span>`. */
function timeOf(name: string, label: string, iso: string | null): HTMLSpanElement {
  const span = document.createElement('span');
  span.className = name;
  if (iso === null) {
    span.textContent = `${label} —`;
    return span;
  }
  const time = document.createElement('time');
  const date = new Date(iso);
  time.dateTime = iso;
  time.textContent = `${date.toLocaleString()} (${relative(date)})`;
  span.append(`${label} `, time);
  return span;
}

function describeCount(count: number): string {
  return count === 1 ? 'One session: this browser.' : `${String(count)} sessions.`;
}
