/** Logs alice in at bench:peer's peer, through the dev IdP like a browser (bench:peer and bench:proxy). */
import { BrowserClient } from '../../test/support/browser-client';
import { completeIdpLogin } from '../../test/support/idp-login';
import type { ServerProcess } from '../common/children';

/** The user every benchmark session belongs to. */
export const USER = 'alice';

/**
 * express-openid-connect's own routes: GET /login → the IdP's form → GET /callback, which
 * creates the session and sets `appSession` (the session id; the session itself is in Redis).
 */
export async function loginToPeer(peer: ServerProcess): Promise<Record<string, string>> {
  const browser = new BrowserClient();
  const start = await browser.fetch(`${peer.url}/login`);
  const location = start.headers.get('location');
  if (start.status !== 302 || !location) {
    throw new Error(`login at ${peer.name} did not start: ${String(start.status)} ${await start.text()}`);
  }
  const callback = await browser.fetch(await completeIdpLogin(location, USER, USER, browser.jar));
  const cookie = browser.cookie('appSession');
  if (callback.status !== 302 || !cookie) {
    const body = await callback.text();
    throw new Error(`login at ${peer.name} failed: the callback answered ${String(callback.status)}: ${body}`);
  }
  return { cookie: `appSession=${cookie}` };
}
