import type { IncomingMessage } from 'node:http';
import { Logger, type BeforeApplicationShutdown, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { WebSocketGateway, type OnGatewayConnection, type OnGatewayDisconnect } from '@nestjs/websockets';
import { RealtimeConfig } from '@bff/config';
import { detachTicket, SessionService } from '@bff/session';
import type { RawData, WebSocket } from 'ws';
import { ClientConnection } from './client-connection';
import { ConnectionRegistry } from './connection-registry';
import { CloseCode, GatewayFrameType, parseFrame } from './frames';
import { UpgradeAuthenticator } from './upgrade-authenticator';

const PONG = JSON.stringify({ type: GatewayFrameType.Pong });

/**
 * `GET /ws`: the WebSocket that shares the HTTP session. The upgrade was
 * already checked (origin, session) by {@link UpgradeAuthenticator}; here each
 * socket is registered for its session and user channels, kept alive by pings,
 * held to its limits, and closed with 4001 when its session ends anywhere.
 */
@WebSocketGateway({ path: '/ws' })
export class NotificationsGateway
  implements
    OnGatewayConnection<WebSocket>,
    OnGatewayDisconnect<WebSocket>,
    OnModuleInit,
    OnModuleDestroy,
    BeforeApplicationShutdown
{
  private readonly logger = new Logger(NotificationsGateway.name);
  private readonly connections = new WeakMap<WebSocket, ClientConnection>();
  private heartbeat?: NodeJS.Timeout;

  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly authenticator: UpgradeAuthenticator,
    private readonly sessions: SessionService,
    private readonly config: RealtimeConfig,
  ) {}

  onModuleInit(): void {
    this.heartbeat = setInterval(() => {
      void this.beat();
    }, this.config.pingIntervalMs);
    this.heartbeat.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.heartbeat);
  }

  /** SIGTERM: tell every client we are going away (1001) while the server can still send it. */
  beforeApplicationShutdown(): void {
    clearInterval(this.heartbeat);
    this.registry.closeAll(CloseCode.GoingAway, 'server shutting down');
  }

  async handleConnection(socket: WebSocket, request: IncomingMessage): Promise<void> {
    const session = this.authenticator.sessionOf(request);
    if (!session) {
      socket.close(CloseCode.SessionEnded, 'no session');
      return;
    }
    const connection = new ClientConnection(socket, detachTicket(session.ticket), session.record.sub, this.config);
    this.connections.set(socket, connection);
    // Registered before anything can fail, so every close path cleans up.
    socket.on('close', () => void this.registry.remove(connection));
    socket.on('error', (error) => {
      this.logger.warn(`socket error: ${error.message}`);
    });
    socket.on('pong', () => {
      connection.alive = true;
    });
    socket.on('message', (data: RawData, isBinary: boolean) => {
      this.onMessage(connection, data, isBinary);
    });
    try {
      await this.registry.add(connection);
    } catch (error) {
      this.logger.warn(`could not subscribe a socket's channels: ${(error as Error).message}`);
      connection.close(CloseCode.TryAgainLater, 'notifications unavailable');
      await this.registry.remove(connection);
      return;
    }
    if (socket.readyState !== socket.OPEN) {
      await this.registry.remove(connection);
      return;
    }
    connection.send(JSON.stringify({ type: GatewayFrameType.Ready, data: { sub: connection.sub } }));
  }

  handleDisconnect(socket: WebSocket): void {
    const connection = this.connections.get(socket);
    if (connection) void this.registry.remove(connection);
  }

  private onMessage(connection: ClientConnection, data: RawData, isBinary: boolean): void {
    if (!connection.allowMessage()) {
      connection.close(CloseCode.PolicyViolation, 'too many messages');
      return;
    }
    if (isBinary) {
      connection.close(CloseCode.UnsupportedData, 'binary frames are not supported');
      return;
    }
    const frame = parseFrame(
      Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8'),
    );
    if (!frame) {
      connection.close(CloseCode.InvalidPayload, 'frames must be JSON { "type": ... }');
      return;
    }
    if (frame.type === 'ping') {
      connection.send(PONG);
      return;
    }
    connection.send(
      JSON.stringify({
        type: GatewayFrameType.Error,
        data: { error: 'unknown_type', message: `Unknown message type "${frame.type.slice(0, 64)}".` },
      }),
    );
  }

  /** Drops peers that missed a pong, pings the rest, and closes sockets whose session has ended or expired. */
  private async beat(): Promise<void> {
    this.registry.forEach((connection) => {
      if (!connection.alive) {
        connection.socket.terminate();
        return;
      }
      connection.alive = false;
      connection.socket.ping();
    });
    for (const sessionId of this.registry.sessionIds()) {
      const [first] = this.registry.connectionsOf(sessionId);
      if (!first) continue;
      try {
        if (!(await this.sessions.reload(first.ticket))) {
          this.registry.closeSession(sessionId, CloseCode.SessionEnded, 'session ended');
        }
      } catch {
        // Redis is away: keep the sockets; the next beat looks again.
      }
    }
  }
}
