import Fastify from 'fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { JWTPayload } from 'jose';
import { createAccessTokenVerifier } from './access-token.verifier';
import { DemoApiError, InvalidRequestError, InvalidTokenError, PublishFailedError } from './demo-api.errors';
import { dpopChallenge, DpopPresentationVerifier } from './dpop-presentation.verifier';
import type { DemoApiDpop, DemoApiDpopOptions, TokenType } from './dpop-presentation.verifier';
import type { NotificationPublisher } from './notification.publisher';
import { readAuthorization } from './presented-token';

/** Receives warnings (IdP or publisher failures); never given a token. */
export interface DemoApiLogger {
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface DemoApiOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to listen on (default `127.0.0.1`). */
  host?: string;
  /** OIDC issuer whose JWKS signs the access tokens. */
  issuer: string;
  /**
   * Audience the access tokens of `/me`, `/orders`, `/notify` and `/public/*` must carry (this
   * API's resource indicator); user tokens and the BFF's own client-credentials token alike.
   */
  audience: string;
  /** Audience the tokens of `/reports/*` must carry, default `<audience>/reports`. */
  reportsAudience?: string;
  /** Where `POST /notify` publishes; closed by `DemoApi.close()`. */
  publisher: NotificationPublisher;
  /** Bound on discovery and JWKS requests to the issuer, in ms (default 5000). */
  idpTimeoutMs?: number;
  /**
   * DPoP (RFC 9449): a token bound to a key (`cnf.jkt`) is accepted only with
   * `Authorization: DPoP` and a valid proof of that key; plain bearer tokens are unaffected.
   */
  dpop?: DemoApiDpopOptions;
  logger?: DemoApiLogger;
}

export interface DemoApi {
  url: string;
  port: number;
  /** DPoP counters and the server nonce, for tests. */
  dpop: DemoApiDpop;
  close(): Promise<void>;
}

/** A verified access token and how it was presented. */
interface VerifiedToken {
  payload: JWTPayload;
  tokenType: TokenType;
}

const MAX_MESSAGE_LENGTH = 500;

/** What the demo shop sells: `/public/catalog` lists it, orders and reports are made of it. */
const CATALOG = [
  { id: 'coffee-beans', name: 'Coffee beans', price: 14.5 },
  { id: 'grinder', name: 'Grinder', price: 89 },
] as const;

/** The caller's recent orders (the same two for everyone, named after the caller). */
function ordersOf(sub: unknown) {
  return CATALOG.map((item, i) => ({ id: `${String(sub)}-${String(1001 + i)}`, item: item.name, total: item.price }));
}

/** Which token a route received and how (`token_type`), echoed so that a client (the demo SPA) can show it. */
/** A made-up account number (a valid-looking test IBAN), the demo's "sensitive" data. */
const DEMO_IBAN = 'DE02 1203 0000 0000 2020 51';

function tokenEcho({ payload: { sub, aud, client_id }, tokenType }: VerifiedToken) {
  return { sub, aud, client_id, token_type: tokenType };
}

/**
 * Starts the demo downstream API: `GET /me` echoes the verified access token's claims,
 * `GET /sensitive` a made-up account behind the BFF's step-up route,
 * `POST /notify` publishes a notification frame to the caller's user channel,
 * `GET /reports/summary` answers only tokens of the reports audience (a token exchange or a
 * refresh with that `resource`), and `GET /public/catalog` any token of the main audience, the
 * BFF's own client-credentials token included (no user needed).
 */
export async function createDemoApi(o: DemoApiOptions): Promise<DemoApi> {
  const verify = createAccessTokenVerifier({ issuer: o.issuer, timeoutMs: o.idpTimeoutMs ?? 5000 });
  const reportsAudience = o.reportsAudience ?? `${o.audience.replace(/\/+$/, '')}/reports`;
  const log = o.logger ?? { warn: () => undefined };
  const dpop = new DpopPresentationVerifier(o.dpop);
  const tokensOf = new WeakMap<FastifyRequest, VerifiedToken>();
  const app = Fastify({ logger: false, bodyLimit: 16 * 1024, requestTimeout: 30_000 });

  // Runs before the body is parsed, so an unauthenticated caller learns nothing
  // about body validation.
  const tokenFor =
    (audience: string) =>
    async (req: FastifyRequest): Promise<void> => {
      const presented = readAuthorization(req.headers.authorization);
      let payload: JWTPayload;
      try {
        payload = await verify(presented.token, audience);
      } catch (err) {
        // RFC 9449 §7.1: a token presented with the DPoP scheme is refused with a DPoP challenge.
        if (presented.scheme !== 'DPoP' || !(err instanceof InvalidTokenError)) throw err;
        throw new InvalidTokenError(err.message, { cause: err.cause, challenge: dpopChallenge('invalid_token') });
      }
      tokensOf.set(req, { payload, tokenType: await dpop.check(req, presented, payload) });
    };
  const authenticate = tokenFor(o.audience);
  const authenticateForReports = tokenFor(reportsAudience);
  const tokenOf = (req: FastifyRequest): VerifiedToken => {
    const token = tokensOf.get(req);
    if (!token) throw new InvalidTokenError('a bearer access token is required');
    return token;
  };
  const claims = (req: FastifyRequest): JWTPayload => tokenOf(req).payload;

  app.addHook('onSend', (_req, reply, payload, done) => {
    reply.header('cache-control', 'no-store');
    // RFC 9449 §9: a fresh nonce on every answer, so a client rarely needs the 401 to learn it.
    const nonce = dpop.nonce();
    if (nonce !== undefined) reply.header('dpop-nonce', nonce);
    done(null, payload);
  });

  app.get('/health', () => ({ status: 'ok' }));

  app.get('/me', { onRequest: authenticate }, (req) => {
    const { payload, tokenType } = tokenOf(req);
    const { sub, exp, iat, scope, aud, client_id, cnf } = payload;
    return { sub, exp, iat, scope, aud, client_id, cnf, token_type: tokenType };
  });

  // A second resource for aggregating local APIs (apps/example-host): the caller's recent orders.
  app.get('/orders', { onRequest: authenticate }, (req) => {
    const { sub } = claims(req);
    return { owner: sub, orders: ordersOf(sub) };
  });

  // The demo's "sensitive action": the BFF's `sensitive` route lets only second-factor sessions
  // through (route `acr`, step-up); the API itself needs just a user token of its audience.
  app.get('/sensitive', { onRequest: authenticate }, (req) => {
    const token = tokenOf(req);
    return { ...tokenEcho(token), account: { owner: token.payload.sub, iban: DEMO_IBAN, balance: 1234.56 } };
  });

  // Another audience: the BFF's `exchange` route trades the user's token for one of this.
  app.get('/reports/summary', { onRequest: authenticateForReports }, (req) => {
    const token = tokenOf(req);
    const orders = ordersOf(token.payload.sub);
    return {
      ...tokenEcho(token),
      report: {
        owner: token.payload.sub,
        orders: orders.length,
        total: orders.reduce((sum, order) => sum + order.total, 0),
        currency: 'EUR',
      },
    };
  });

  // No user needed: the BFF's `client` route sends its own client-credentials token.
  app.get('/public/catalog', { onRequest: authenticate }, (req) => ({
    ...tokenEcho(tokenOf(req)),
    items: CATALOG,
  }));

  app.post('/notify', { onRequest: authenticate }, async (req, reply) => {
    const { sub } = claims(req);
    const message = readMessage(req.body);
    const channel = `bff:ws:user:${sub}`;
    try {
      await o.publisher.publish(channel, { type: 'notification', data: { message } });
    } catch (cause) {
      log.warn({ channel, error: describe(cause) }, 'notification publish failed');
      throw new PublishFailedError('the notification could not be published', { cause });
    }
    return reply.code(202).send({ published: true, channel });
  });

  app.setNotFoundHandler((_req, reply) => sendError(reply, 404, 'not_found', 'no such route'));

  app.setErrorHandler((err, _req, reply) => {
    if (err instanceof DemoApiError) {
      if (err.status === 503) log.warn({ error: describe(err.cause ?? err) }, err.message);
      return sendError(reply, err.status, err.code, err.message, err.challenge);
    }
    const status = (err as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      const code = status === 413 ? 'payload_too_large' : 'invalid_request';
      return sendError(reply, status, code, (err as Error).message);
    }
    log.warn({ error: describe(err) }, 'unexpected error');
    return sendError(reply, 500, 'server_error', 'internal error');
  });

  app.addHook('onClose', (_instance, done) => {
    dpop.close();
    done();
  });

  await app.listen({ port: o.port ?? 0, host: o.host ?? '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (o.port ?? 0);
  const host = o.host ?? '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    url,
    port,
    dpop,
    async close() {
      await app.close();
      await o.publisher.close?.();
    },
  };
}

function readMessage(body: unknown): string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidRequestError('the body must be a JSON object {"message": "..."}');
  }
  const { message } = body as { message?: unknown };
  if (typeof message !== 'string' || message.length < 1 || message.length > MAX_MESSAGE_LENGTH) {
    throw new InvalidRequestError(`"message" must be a string of 1 to ${MAX_MESSAGE_LENGTH} characters`);
  }
  return message;
}

function sendError(reply: FastifyReply, status: number, error: string, message: string, challenge?: string) {
  if (status === 401) reply.header('www-authenticate', challenge ?? 'Bearer error="invalid_token"');
  return reply.code(status).send({ error, message });
}

/** Error name, code and message only: never headers or bodies that could hold a token. */
function describe(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: String(err) };
  const code = (err as { code?: unknown }).code;
  const cause = err.cause instanceof Error ? `${err.cause.name}: ${err.cause.message}` : undefined;
  return { name: err.name, code, message: err.message, cause };
}
