// Jest does not do require(esm) on Node 20, so ESM-only packages are transformed to CJS.
const swc = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2023',
  },
  module: { type: 'commonjs' },
};
const esmOnly = [
  '@nestjs',
  'openid-client',
  'oauth4webapi',
  'jose',
  'oidc-provider',
  'cookie',
  'file-type',
  'content-disposition',
  'quick-lru',
  '@koa',
  'koa',
  'nanoid',
  // Not ESM, but loads node:http with a dynamic import(), which jest's CJS runtime cannot run.
  '@opentelemetry/otlp-exporter-base',
];
const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j|mj)s$': ['@swc/jest', swc] },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  moduleNameMapper: {
    '^@bff/(errors|metrics|dpop|config|tracing|cluster|session|auth|token|proxy|realtime|bff-module|client)$':
      '<rootDir>/libs/$1/src/index.ts',
    '^@bff/(dev-idp|demo-api|bff|example-host)$': '<rootDir>/apps/$1/src/index.ts',
    // Browser code (libs/client) imports './x.js', as a browser needs, where the source is x.ts.
    // Jest cannot scope a mapping to the importing folder; elsewhere it is harmless, because the
    // extension-less path resolves to the same x.js first (js leads moduleFileExtensions).
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
};
module.exports = {
  reporters: ['default', '<rootDir>/test/support/plain-summary-reporter.js'],
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.spec.ts'],
    },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.spec.ts'] },
    // The packed tarball installed into a fresh host app (npm pack, npm install, tsc): slow, so last.
    { ...common, displayName: 'package', testMatch: ['<rootDir>/test/package/**/*.spec.ts'] },
    // Real Chromium (Debian's, see test/support/chromium.ts) against the BFF serving the demo SPA.
    { ...common, displayName: 'browser', testMatch: ['<rootDir>/test/browser/**/*.spec.ts'] },
  ],
};
