/** The element with `id`, checked to be of the expected kind (index.html and this code must agree). */
export function byId<T extends HTMLElement>(id: string, kind: { new (): T; prototype: T }): T {
  const node = document.getElementById(id);
  if (!(node instanceof kind)) throw new TypeError(`index.html has no <${kind.name}> #${id}`);
  return node;
}

export function show(node: HTMLElement, visible: boolean): void {
  node.hidden = !visible;
}

/** A status line: its text, and `data-kind` for the style (and for tests to wait on). */
export function setStatus(node: HTMLElement, text: string, kind: 'ok' | 'error' | 'warn' | 'pending'): void {
  node.textContent = text;
  node.dataset.kind = kind;
}

/** Adds `<li><time>…</time> text</li>` at the top of `list`, keeping at most `limit` entries. */
export function prependEntry(list: HTMLElement, text: string, limit: number): HTMLLIElement {
  const item = document.createElement('li');
  const time = document.createElement('time');
  const now = new Date();
  time.dateTime = now.toISOString();
  time.textContent = formatTime(now);
  item.append(time, ` ${text}`);
  list.prepend(item);
  while (list.children.length > limit) list.lastElementChild?.remove();
  return item;
}

export function formatTime(date: Date): string {
  return date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** "in 5 min", "2 h ago": a rough distance from now. */
export function relative(date: Date): string {
  const seconds = Math.round((date.getTime() - Date.now()) / 1000);
  const abs = Math.abs(seconds);
  const [size, unit] = abs >= 172_800 ? [86_400, 'd'] : abs >= 5400 ? [3600, 'h'] : abs >= 90 ? [60, 'min'] : [1, 's'];
  const text = `${String(Math.round(abs / size))} ${unit}`;
  return seconds >= 0 ? `in ${text}` : `${text} ago`;
}
