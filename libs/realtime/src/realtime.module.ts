import { Module } from '@nestjs/common';
import { ClusterModule } from '@bff/cluster';
import { SessionModule } from '@bff/session';
import { ConnectionRegistry } from './connection-registry';
import { InternalPublishController } from './internal-publish.controller';
import { NotificationPublisher } from './notification-publisher';
import { NotificationsGateway } from './notifications.gateway';
import { UpgradeAuthenticator } from './upgrade-authenticator';

/**
 * The session-bound WebSocket and notification fan-out. The app must install
 * {@link BffWsAdapter} (with this module's {@link UpgradeAuthenticator}).
 */
@Module({
  imports: [ClusterModule, SessionModule],
  controllers: [InternalPublishController],
  providers: [ConnectionRegistry, UpgradeAuthenticator, NotificationsGateway, NotificationPublisher],
  exports: [NotificationPublisher, UpgradeAuthenticator, ConnectionRegistry],
})
export class RealtimeModule {}
