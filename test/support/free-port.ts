import { createServer } from 'node:net';

/**
 * A port that was free a moment ago. The BFF's redirect URI must be registered
 * at the IdP before the BFF boots (discovery comes first), so its port is
 * chosen up front rather than with listen(0).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}
