import type { ChannelLike, Environment } from './environment.js';

/**
 * What one tab tells the others of its origin. Tiny on purpose: what happened, never a token
 * or a session id; `sub` only so a tab signed in as someone else can tell the difference.
 */
export type TabMessage = { type: 'logged-out' } | { type: 'session-ended' } | { type: 'signed-in'; sub: string };

/** The longest `sub` passed between tabs (the BFF's subjects are far shorter). */
const MAX_SUB_LENGTH = 255;

/**
 * A message as another tab sends it, or undefined for anything else: any script of the origin
 * may post to the channel, so nothing is trusted that does not have this exact shape.
 */
export function parseTabMessage(data: unknown): TabMessage | undefined {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  const { type, sub } = data as { type?: unknown; sub?: unknown };
  if (type === 'logged-out' || type === 'session-ended') return { type };
  if (type === 'signed-in' && typeof sub === 'string' && sub.length > 0 && sub.length <= MAX_SUB_LENGTH) {
    return { type, sub };
  }
  return undefined;
}

/** The channel of the BFF at `baseUrl`: two BFFs serving one origin (`/a`, `/b`) keep their tabs apart. */
export function channelName(baseUrl: string): string {
  return `nest-bff/client ${baseUrl === '' ? '/' : baseUrl}`;
}

/** The tabs of this origin using the same BFF. Without `BroadcastChannel`, posting does nothing. */
export interface TabChannel {
  post(message: TabMessage): void;
  close(): void;
}

/** Opens the channel of `baseUrl`, passing each valid message of another tab to `receive`. */
export function openTabChannel(env: Environment, baseUrl: string, receive: (message: TabMessage) => void): TabChannel {
  let channel: ChannelLike | undefined = env.openChannel(channelName(baseUrl));
  channel?.addEventListener('message', (event) => {
    const message = parseTabMessage(event.data);
    if (message && channel) receive(message);
  });
  return {
    post: (message) => {
      try {
        channel?.postMessage(message);
      } catch {
        // A closed channel throws: the tab is going away, and the others learn from the BFF instead.
      }
    },
    close: () => {
      channel?.close();
      channel = undefined;
    },
  };
}
