export { BffWsAdapter } from './bff-ws.adapter';
export { ConnectionRegistry } from './connection-registry';
export {
  BROADCAST_CHANNEL,
  CloseCode,
  GatewayFrameType,
  isReservedFrameType,
  parseFrame,
  PUBLISHABLE_CHANNEL,
  RESERVED_FRAME_TYPES,
  sessionChannel,
  userChannel,
  type ServerFrame,
} from './frames';
export { NotificationPublisher } from './notification-publisher';
export { ReservedFrameTypeError, TooManySocketsError } from './realtime.errors';
export { RealtimeModule } from './realtime.module';
export { UpgradeAuthenticator } from './upgrade-authenticator';
