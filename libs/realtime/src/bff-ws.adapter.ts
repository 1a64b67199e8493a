import type { IncomingMessage } from 'node:http';
import type { INestApplicationContext } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import type { RealtimeConfig } from '@bff/config';
import type { ServerOptions } from 'ws';
import type { UpgradeAuthenticator } from './upgrade-authenticator';

type VerifyCallback = (result: boolean, code?: number, message?: string, headers?: Record<string, string>) => void;

/**
 * Nest's ws adapter on the Fastify server's port, with the upgrade checked
 * before it is accepted (a real 401/403 with a JSON body, not an open-then-close)
 * and the frame size capped (ws closes with 1009 above it). Messages are handled
 * by the gateway itself, so Nest's `{ event, data }` dispatch is not bound.
 */
export class BffWsAdapter extends WsAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly authenticator: UpgradeAuthenticator,
    private readonly config: RealtimeConfig,
  ) {
    super(app);
  }

  override create(port: number, options: Record<string, unknown> & ServerOptions = {}): unknown {
    return super.create(port, {
      ...options,
      maxPayload: this.config.maxMessageBytes,
      verifyClient: (info: { req: IncomingMessage }, callback: VerifyCallback) => {
        this.authenticator.verify(info.req).then(
          (verdict) => {
            if ('session' in verdict) callback(true);
            else callback(false, verdict.status, JSON.stringify(verdict.body), { 'Content-Type': 'application/json' });
          },
          () => {
            callback(
              false,
              500,
              JSON.stringify({ error: 'internal_error', message: 'The BFF failed to handle the request.' }),
              {
                'Content-Type': 'application/json',
              },
            );
          },
        );
      },
    });
  }

  override bindMessageHandlers(): void {
    // The gateway reads frames itself: its protocol is { type, data }, not Nest's { event, data }.
  }
}
