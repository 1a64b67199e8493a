/** What the server keeps readable of a session for its owner's sessions list (sealed under the server key). */
export interface SessionListingFacts {
  createdAt: number;
  userAgent?: string;
  /** The IdP's session id, so that ending the session from the list also clears the `sid` index. */
  sid?: string;
}

/** The longest `User-Agent` kept for the sessions list; real ones are far shorter. */
const USER_AGENT_MAX = 256;

/** A `User-Agent` fit to keep and show: printable, trimmed, at most {@link USER_AGENT_MAX} characters. */
export function keptUserAgent(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const printable = value.replace(/[^\x20-\x7e]/g, '').trim();
  return printable === '' ? undefined : printable.slice(0, USER_AGENT_MAX);
}
