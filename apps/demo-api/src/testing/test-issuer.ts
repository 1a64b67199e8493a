/**
 * Stand-ins the demo API's specs run it against, on free loopback ports: a recording HTTP
 * server and an issuer with a real RS256 signing key, its discovery document and JWKS, and
 * a signer of access tokens (RFC 9068) with that key.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import type { CryptoKey, JWK } from 'jose';

export interface RecordedRequest {
  method?: string;
  url?: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A local HTTP server that records requests and answers with `respond`. */
export async function startServer(
  respond: (req: RecordedRequest) => { status: number; json?: unknown },
): Promise<{ server: Server; url: string; requests: RecordedRequest[] }> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const recorded = { method: req.method, url: req.url, headers: req.headers, body };
      requests.push(recorded);
      const { status, json } = respond(recorded);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(json === undefined ? '' : JSON.stringify(json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${String(port)}`, requests };
}

export const stopServer = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

/** An issuer with a real signing key, discovery document and JWKS endpoint. */
export async function startIssuer() {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  let issuer = '';
  const state = { available: true };
  const idp = await startServer((req) => {
    if (!state.available) return { status: 500 };
    if (req.url === '/.well-known/openid-configuration') {
      return { status: 200, json: { issuer, jwks_uri: `${issuer}/jwks` } };
    }
    if (req.url === '/jwks') return { status: 200, json: { keys: [jwk] } };
    return { status: 404 };
  });
  issuer = idp.url;
  return Object.assign(state, idp, { issuer, privateKey });
}

export type TestIssuer = Awaited<ReturnType<typeof startIssuer>>;

export interface TokenOptions {
  key?: CryptoKey;
  iss?: string;
  aud?: string;
  sub?: string;
  clientId?: string;
  typ?: string;
  iat?: number;
  exp?: number;
  /** The token's `cnf` claim: `{ jkt }` binds it to a DPoP key (RFC 9449 §6.1). */
  cnf?: Record<string, unknown>;
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** An access token of `idp` for `audience` (RS256, typ at+jwt), shaped by `o`. */
export function signAccessToken(idp: TestIssuer, audience: string, o: TokenOptions = {}): Promise<string> {
  return new SignJWT({ scope: 'openid profile', client_id: o.clientId ?? 'bff', ...(o.cnf ? { cnf: o.cnf } : {}) })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: o.typ ?? 'at+jwt' })
    .setIssuer(o.iss ?? idp.issuer)
    .setAudience(o.aud ?? audience)
    .setSubject(o.sub ?? 'alice')
    .setIssuedAt(o.iat ?? nowSeconds())
    .setExpirationTime(o.exp ?? nowSeconds() + 60)
    .sign(o.key ?? idp.privateKey);
}
