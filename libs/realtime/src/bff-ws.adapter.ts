import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import type { INestApplicationContext } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import type { RealtimeConfig } from '@bff/config';
import type { ServerOptions, WebSocketServer } from 'ws';
import { GatewayClosingError, InvalidUpgradeError } from './realtime.errors';
import type { UpgradeAuthenticator } from './upgrade-authenticator';
import { invalidUpgradeFrom, refuseUpgrade } from './upgrade-refusal';

type UpgradeListener = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * Nest's ws adapter on the Fastify server's port, with the upgrade checked
 * before it is accepted (a real 401/403/429 with a JSON body, not an
 * open-then-close) and the frame size capped (ws closes with 1009 above it).
 * Every refusal, including ws's and Nest's own, is answered by
 * {@link refuseUpgrade}. Messages are handled by the gateway itself, so Nest's
 * `{ event, data }` dispatch is not bound.
 */
export class BffWsAdapter extends WsAdapter {
  private closing = false;
  private readonly guards: { server: HttpServer; listener: UpgradeListener }[] = [];

  constructor(
    app: INestApplicationContext,
    private readonly authenticator: UpgradeAuthenticator,
    private readonly config: RealtimeConfig,
  ) {
    super(app);
  }

  override create(port: number, options: Record<string, unknown> & ServerOptions = {}): unknown {
    const server = super.create(port, {
      ...options,
      maxPayload: this.config.maxMessageBytes,
      // Refusals are written by refuseUpgrade, never passed to callback(false, …):
      // ws would send its own text/html Content-Type as well as ours.
      verifyClient: (info: { req: IncomingMessage }, accept: (verified: true) => void) => {
        const socket = info.req.socket;
        this.authenticator.verify(info.req).then(
          () => {
            // Past this point ws answers 503 in text/html itself if its server is closing.
            if (this.closing) refuseUpgrade(socket, new GatewayClosingError());
            else accept(true);
          },
          (error: unknown) => {
            refuseUpgrade(socket, error);
          },
        );
      },
    }) as WebSocketServer;
    // With a listener here, ws hands malformed handshakes over instead of answering them in text/html.
    server.on('wsClientError', (error: Error, socket: Duplex) => {
      refuseUpgrade(socket, invalidUpgradeFrom(error));
    });
    return server;
  }

  override async close(server: unknown): Promise<void> {
    this.closing = true;
    await super.close(server);
  }

  override async dispose(): Promise<void> {
    for (const { server, listener } of this.guards.splice(0)) server.off('upgrade', listener);
    await super.dispose();
  }

  /**
   * Nest's upgrade listener answers a URL it cannot parse (a Host such as
   * `a b`) with a bare `HTTP/1.1 400` and the parser's message. It is wrapped
   * so that this case gets the BFF's refusal; everything else, including its
   * silent drop of upgrades for other paths, is left to it.
   */
  protected override ensureHttpServerExists(port: number, httpServer?: HttpServer): HttpServer | undefined {
    if (this.httpServersRegistry.has(port)) return super.ensureHttpServerExists(port, httpServer);
    const before = new Set(httpServer?.listeners('upgrade'));
    const created = super.ensureHttpServerExists(port, httpServer);
    const server = this.httpServersRegistry.get(port) as HttpServer | undefined;
    for (const listener of server?.listeners('upgrade') ?? []) {
      if (!server || before.has(listener)) continue;
      const dispatch = listener as UpgradeListener;
      const guard: UpgradeListener = (request, socket, head) => {
        // The same base URL Nest builds, so whatever would make it throw is caught here first.
        if (URL.canParse(String(request.url), `ws://${String(request.headers.host)}/`)) {
          dispatch(request, socket, head);
        } else {
          refuseUpgrade(socket, new InvalidUpgradeError('the request target or Host header is not a valid URL'));
        }
      };
      server.off('upgrade', dispatch).on('upgrade', guard);
      this.guards.push({ server, listener: guard });
    }
    return created;
  }

  override bindMessageHandlers(): void {
    // The gateway reads frames itself: its protocol is { type, data }, not Nest's { event, data }.
  }
}
