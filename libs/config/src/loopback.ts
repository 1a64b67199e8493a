const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** True for a URL whose host is loopback, where plain http carries no risk off the machine. */
function isLoopbackUrl(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname) || url.hostname.endsWith('.localhost');
}

/**
 * An `http:` issuer, upstream or public URL is accepted only on a loopback host; anywhere
 * else it must be `https:`. Returns the problem, or undefined.
 */
export function checkTransport(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `expected an absolute URL, got "${text}"`;
  }
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:') {
    return isLoopbackUrl(url)
      ? undefined
      : `plain http is allowed only on a loopback host; use https for "${url.host}"`;
  }
  return `expected an http(s) URL, got "${text}"`;
}
