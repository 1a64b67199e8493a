import { isManagementRoute } from './management-listener';

describe('isManagementRoute', () => {
  it.each(['/metrics', '/health/live', '/health/ready', '/internal/publish', '/internal/sessions/revoke'])(
    'keeps %s to the management port',
    (pattern) => {
      expect(isManagementRoute(pattern)).toBe(true);
    },
  );

  it.each(['/', '/*', '/auth/user', '/api/*', '/api/echo/*', '/metricsx', '/healthz', '/internals', '/local/health/x'])(
    'leaves %s to the main port',
    (pattern) => {
      expect(isManagementRoute(pattern)).toBe(false);
    },
  );
});
