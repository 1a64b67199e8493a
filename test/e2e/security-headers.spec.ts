import { join } from 'node:path';
import { startStack, type Stack } from '../support/bff-stack';

describe('security headers', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ redis: false, env: { BFF_STATIC_DIR: join(__dirname, '../../apps/demo-spa/public') } });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('serves the SPA with a strict CSP that allows only its own origin and WebSocket', async () => {
    const response = await fetch(`${stack.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    const wsOrigin = stack.url.replace(/^http/, 'ws');
    expect(response.headers.get('content-security-policy')).toBe(
      `default-src 'self'; connect-src 'self' ${wsOrigin}; frame-ancestors 'none'; base-uri 'none'; object-src 'none'`,
    );
  });

  it.each(['/', '/favicon.svg', '/auth/user', '/api/nope', '/health/live', '/no-such-page'])(
    'sends nosniff, no-referrer and a request id on %s',
    async (path) => {
      const response = await fetch(`${stack.url}${path}`);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    },
  );

  it('puts no CSP on JSON', async () => {
    expect((await fetch(`${stack.url}/auth/user`)).headers.get('content-security-policy')).toBeNull();
  });

  it('never allows cross-origin reads (CORS is off)', async () => {
    const preflight = await fetch(`${stack.url}/auth/user`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://evil.example',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'x-csrf',
      },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-headers')).toBeNull();
    const read = await fetch(`${stack.url}/auth/user`, { headers: { origin: 'https://evil.example', 'x-csrf': '1' } });
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers unknown paths with 404 JSON', async () => {
    const response = await fetch(`${stack.url}/no-such-page`, { headers: { accept: 'application/json' } });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: 'not_found' });
  });
});
