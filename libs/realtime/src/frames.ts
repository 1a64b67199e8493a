/** Every server → client frame: JSON `{ "type": "...", "data": ... }`. */
export interface ServerFrame {
  type: string;
  data?: unknown;
}

/**
 * The frame types the gateway itself sends. Nobody else may send them, so a
 * client can trust a `ready`, `pong` or `error` frame to come from the BFF.
 */
export const GatewayFrameType = {
  Ready: 'ready',
  Pong: 'pong',
  Error: 'error',
} as const;

/** Types refused on publish and dropped on delivery: exactly the gateway's own. */
export const RESERVED_FRAME_TYPES: ReadonlySet<string> = new Set(Object.values(GatewayFrameType));

export function isReservedFrameType(type: string): boolean {
  return RESERVED_FRAME_TYPES.has(type);
}

/** Pub/sub channels a notification can be published on (the message is the frame's JSON). */
export const BROADCAST_CHANNEL = 'bff:ws:broadcast';
export const userChannel = (sub: string): string => `bff:ws:user:${sub}`;
export const sessionChannel = (sessionId: string): string => `bff:ws:session:${sessionId}`;

/** The channels outside publishers may use; anything else is refused. */
export const PUBLISHABLE_CHANNEL = /^bff:ws:(?:broadcast|user:\S{1,255}|session:[A-Za-z0-9_-]{43})$/;

/** Close codes the gateway uses (RFC 6455 §7.4 plus the 4000-4999 application range). */
export const CloseCode = {
  GoingAway: 1001,
  UnsupportedData: 1003,
  InvalidPayload: 1007,
  PolicyViolation: 1008,
  MessageTooBig: 1009,
  TryAgainLater: 1013,
  SessionEnded: 4001,
} as const;

/** Parses a published or received message into a frame; undefined when it is not one. */
export function parseFrame(text: string): ServerFrame | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { type } = value as { type?: unknown };
  if (typeof type !== 'string' || type.length === 0 || type.length > 64) return undefined;
  return value as ServerFrame;
}
