import { byId } from './dom.js';

/** Every element the app drives. Browser tests rely on these ids: keep them stable. */
export const el = {
  user: byId('user', HTMLElement),
  login: byId('login', HTMLButtonElement),
  logout: byId('logout', HTMLAnchorElement),
  notice: byId('notice', HTMLParagraphElement),
  signedOut: byId('signed-out', HTMLElement),
  session: byId('session', HTMLElement),
  sessionExpiry: byId('session-expiry', HTMLTimeElement),
  claims: byId('claims', HTMLTableElement),
  api: byId('api', HTMLElement),
  callApi: byId('call-api', HTMLButtonElement),
  apiResult: byId('api-result', HTMLDivElement),
  apiStatus: byId('api-status', HTMLParagraphElement),
  tokenExpiry: byId('token-expiry', HTMLParagraphElement),
  apiBody: byId('api-body', HTMLPreElement),
  apiHistory: byId('api-history', HTMLUListElement),
  realtime: byId('realtime', HTMLElement),
  notifyForm: byId('notify-form', HTMLFormElement),
  notifyMessage: byId('notify-message', HTMLInputElement),
  sendNotification: byId('send-notification', HTMLButtonElement),
  notifyResult: byId('notify-result', HTMLParagraphElement),
  wsStatus: byId('ws-status', HTMLSpanElement),
  wsDetail: byId('ws-detail', HTMLSpanElement),
  notifications: byId('notifications', HTMLUListElement),
};
