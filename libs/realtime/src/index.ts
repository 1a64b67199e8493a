export { BffWsAdapter } from './bff-ws.adapter';
export { ConnectionRegistry } from './connection-registry';
export {
  BROADCAST_CHANNEL,
  CloseCode,
  parseFrame,
  PUBLISHABLE_CHANNEL,
  sessionChannel,
  userChannel,
  type ServerFrame,
} from './frames';
export { NotificationPublisher } from './notification-publisher';
export { RealtimeModule } from './realtime.module';
export { UpgradeAuthenticator } from './upgrade-authenticator';
