// ESLint flat config. Run by `npm run lint` (part of `npm test`).
//
// - TypeScript: typescript-eslint strictTypeChecked + stylisticTypeChecked, typed through the
//   project service (tsconfig.json covers apps, libs, test, scripts, bench).
// - Import boundaries (dependency-cruiser needs Node 22, so eslint does it): import-x/no-cycle plus
//   one no-restricted-imports list per folder, so dependencies point one way:
//   errors ← config ← cluster ← session ← auth ← token ← proxy/realtime ← bff-module ← apps.
//   Browser code stands apart: libs/client imports nothing, only apps/demo-spa imports it, and
//   neither imports Node modules (they are typed by tsconfig.browser.json, without Node types).
// - eslint-config-prettier last: formatting belongs to Prettier.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig, globalIgnores } from 'eslint/config';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import jest from 'eslint-plugin-jest';
import tseslint from 'typescript-eslint';

// ---------------------------------------------------------------------------------------------
// Import boundaries
// ---------------------------------------------------------------------------------------------

/** Each lib and the libs it may import (through their `@bff/<lib>` alias only). */
const LIB_DEPENDENCIES = {
  errors: [],
  metrics: [],
  // DPoP keys, proofs, nonces and their verification (RFC 9449): pure node:crypto, no Nest.
  dpop: ['errors'],
  config: ['errors'],
  // OpenTelemetry traces: the tracer, W3C trace context, HTTP span conventions. Libs that make spans import it.
  tracing: ['errors', 'config'],
  // What instances share: the Redis connection and the message bus between them.
  cluster: ['errors', 'metrics', 'config'],
  session: ['errors', 'metrics', 'dpop', 'config', 'cluster'],
  auth: ['errors', 'metrics', 'dpop', 'config', 'tracing', 'cluster', 'session'],
  token: ['errors', 'metrics', 'dpop', 'config', 'tracing', 'cluster', 'session', 'auth'],
  proxy: ['errors', 'metrics', 'dpop', 'config', 'tracing', 'cluster', 'session', 'auth', 'token'],
  realtime: ['errors', 'metrics', 'config', 'cluster', 'session', 'auth', 'token'],
  // The package's server entry: BffModule, setupBff, local APIs. Everything a host imports.
  'bff-module': [
    'errors',
    'metrics',
    'dpop',
    'config',
    'tracing',
    'cluster',
    'session',
    'auth',
    'token',
    'proxy',
    'realtime',
  ],
  // Browser code: the SPA's client. No server lib lists it, so no server code may import it.
  client: [],
};
const LIBS = Object.keys(LIB_DEPENDENCIES);
/** Libs that run in the browser: no Node imports. */
const BROWSER_LIBS = new Set(['client']);
/** Server apps. */
const APPS = ['bff', 'dev-idp', 'demo-api', 'example-host'];
/** The browser app, which may import only the browser libs. */
const BROWSER_APP = 'demo-spa';

const alias = (name) => `@bff/${name}`;

/** An exact `@bff/<name>` import that is not allowed here, with the reason. */
const forbidAlias = (name, message) => ({ name: alias(name), message });

/** Patterns that hold everywhere: no deep alias paths, no relative paths into libs/ or apps/. */
const COMMON_PATTERNS = [
  {
    regex: '^@bff/[^/]+/',
    caseSensitive: true,
    message:
      'Import another lib or app only through its public entry `@bff/<name>` (its src/index.ts), never a deep path.',
  },
  {
    // e.g. '../../libs/session/src/session.service', '../../../apps/bff/src/main'
    group: ['**/libs', '**/libs/**', '**/apps', '**/apps/**'],
    message: 'Do not reach into libs/ or apps/ by relative path: import the public `@bff/<name>` alias.',
  },
];

/**
 * Inside a lib or an app: a relative path with a `src` segment leaves this package and enters
 * another one (e.g. '../../session/src/session.service'). Files of one package import each
 * other by short relative paths ('./x', '../x'), which never name `src`.
 */
const NO_RELATIVE_INTO_OTHER_PACKAGE = {
  regex: String.raw`^\.{1,2}/(?:.*/)?src(?:/|$)`,
  caseSensitive: true,
  message: "Do not reach into another lib's or app's files by relative path: import its `@bff/<name>` alias.",
};

/** Code that runs in a browser: Node's modules do not exist there. */
const NO_NODE_MODULES = {
  group: ['node:*'],
  message: 'Browser code cannot import Node modules.',
};

/** Production code never imports test helpers. */
const NO_TEST_IMPORTS = {
  regex: String.raw`^\.{1,2}/(?:.*/)?test(?:/|$)`,
  caseSensitive: true,
  message: 'Production code must not import from test/.',
};

const restrictedImports = (paths, patterns) => ['error', { paths, patterns: [...COMMON_PATTERNS, ...patterns] }];

/** no-restricted-imports for the files of one lib. */
function libImportRules(lib, { spec }) {
  const allowed = new Set(LIB_DEPENDENCIES[lib]);
  const paths = [
    forbidAlias(lib, `Inside libs/${lib}, import its files by relative path, not through its own alias.`),
    ...LIBS.filter((other) => other !== lib && !allowed.has(other)).map((other) =>
      forbidAlias(
        other,
        (allowed.size > 0
          ? `libs/${lib} may import only ${[...allowed].map(alias).join(', ')}`
          : `libs/${lib} imports no other @bff lib`) +
          ' (dependencies point one way: errors ← config ← cluster ← session ← auth ← token ← proxy/realtime ← bff-module ← apps).',
      ),
    ),
    ...[...APPS, BROWSER_APP].map((app) => forbidAlias(app, 'Libs never import apps.')),
  ];
  const patterns = [
    NO_RELATIVE_INTO_OTHER_PACKAGE,
    ...(spec ? [] : [NO_TEST_IMPORTS]),
    ...(BROWSER_LIBS.has(lib) ? [NO_NODE_MODULES] : []),
  ];
  return { 'no-restricted-imports': restrictedImports(paths, patterns) };
}

/** no-restricted-imports for the files of one server app: any server lib, but no other app, nor itself by alias. */
function appImportRules(app, { spec }) {
  const paths = [
    ...APPS.map((other) =>
      forbidAlias(
        other,
        other === app
          ? `Inside apps/${app}, import its files by relative path, not through its own alias.`
          : 'Apps do not import each other; share code through a lib.',
      ),
    ),
    ...[...BROWSER_LIBS].map((lib) => forbidAlias(lib, `@bff/${lib} is browser code; apps/${app} runs on the server.`)),
  ];
  const patterns = [NO_RELATIVE_INTO_OTHER_PACKAGE, ...(spec ? [] : [NO_TEST_IMPORTS])];
  return { 'no-restricted-imports': restrictedImports(paths, patterns) };
}

/** no-restricted-imports for the browser app: the browser libs only, and no Node modules. */
function browserAppImportRules() {
  const paths = [
    ...LIBS.filter((lib) => !BROWSER_LIBS.has(lib)).map((lib) =>
      forbidAlias(
        lib,
        `apps/${BROWSER_APP} runs in the browser: it may import only ${[...BROWSER_LIBS].map(alias).join(', ')}.`,
      ),
    ),
    ...APPS.map((app) => forbidAlias(app, 'Apps do not import each other; share code through a lib.')),
  ];
  const patterns = [NO_RELATIVE_INTO_OTHER_PACKAGE, NO_TEST_IMPORTS, NO_NODE_MODULES];
  return { 'no-restricted-imports': restrictedImports(paths, patterns) };
}

const SPEC_FILES = ['**/*.spec.ts'];

/** One config block per lib / app, and one for spec files inside it (which may use test/support). */
const boundaryConfigs = [
  ...LIBS.flatMap((lib) => [
    {
      name: `bff/boundaries/libs/${lib}`,
      files: [`libs/${lib}/**/*.ts`],
      ignores: SPEC_FILES,
      rules: libImportRules(lib, { spec: false }),
    },
    {
      name: `bff/boundaries/libs/${lib}/spec`,
      files: [`libs/${lib}/**/*.spec.ts`],
      rules: libImportRules(lib, { spec: true }),
    },
  ]),
  ...APPS.flatMap((app) => [
    {
      name: `bff/boundaries/apps/${app}`,
      files: [`apps/${app}/**/*.ts`],
      ignores: SPEC_FILES,
      rules: appImportRules(app, { spec: false }),
    },
    {
      name: `bff/boundaries/apps/${app}/spec`,
      files: [`apps/${app}/**/*.spec.ts`],
      rules: appImportRules(app, { spec: true }),
    },
  ]),
  {
    name: `bff/boundaries/apps/${BROWSER_APP}`,
    files: [`apps/${BROWSER_APP}/**/*.ts`],
    rules: browserAppImportRules(),
  },
  {
    // test/, scripts/, bench/: any `@bff/*` public entry, plus their own relative files (test/support).
    name: 'bff/boundaries/outside',
    files: ['test/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts'],
    rules: { 'no-restricted-imports': restrictedImports([], []) },
  },
  {
    // Any lib or app folder not declared above (a new lib must be added to LIB_DEPENDENCIES).
    name: 'bff/boundaries/undeclared',
    files: ['libs/**/*.ts', 'apps/**/*.ts'],
    ignores: [...LIBS.map((lib) => `libs/${lib}/**`), ...[...APPS, BROWSER_APP].map((app) => `apps/${app}/**`)],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'Program',
          message: 'This lib/app is not declared in eslint.config.mjs (LIB_DEPENDENCIES / APPS).',
        },
      ],
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Globals for the plain-JS files (the `globals` package is only a transitive dependency here).
// ---------------------------------------------------------------------------------------------

const readonly = (names) => Object.fromEntries(names.map((name) => [name, 'readonly']));
const SHARED_GLOBALS = [
  'AbortController',
  'AbortSignal',
  'console',
  'crypto',
  'fetch',
  'FormData',
  'Headers',
  'queueMicrotask',
  'Request',
  'Response',
  'setTimeout',
  'clearTimeout',
  'setInterval',
  'clearInterval',
  'structuredClone',
  'TextDecoder',
  'TextEncoder',
  'URL',
  'URLSearchParams',
];
const NODE_GLOBALS = readonly([...SHARED_GLOBALS, 'Buffer', 'process', 'setImmediate', 'clearImmediate']);
const COMMONJS_GLOBALS = readonly(['module', 'exports', 'require', '__dirname', '__filename']);

// ---------------------------------------------------------------------------------------------

export default defineConfig(
  globalIgnores(
    ['**/node_modules/', 'dist/', 'dist-bench/', 'coverage/', 'test-artifacts/', 'bench/results/'],
    'bff/ignores',
  ),

  {
    name: 'bff/linter-options',
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },

  // ---- TypeScript (type-aware) ----
  {
    name: 'bff/typescript',
    files: ['**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.strictTypeChecked, tseslint.configs.stylisticTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { 'import-x': importX },
    settings: {
      // Without this import-x parses only .js dependencies, and no-cycle silently sees no .ts cycle.
      'import-x/extensions': ['.ts', '.js', '.mjs', '.cjs'],
      'import-x/external-module-folders': ['node_modules', 'node_modules/@types'],
      'import-x/resolver-next': [
        createTypeScriptImportResolver({ project: `${import.meta.dirname}/tsconfig.json`, alwaysTryTypes: true }),
      ],
    },
    rules: {
      // Nest modules, including those with a static forRoot(), are decorated classes.
      '@typescript-eslint/no-extraneous-class': ['error', { allowWithDecorator: true }],
      // Nest and Fastify declare their option bags as classes; object literals are how they are meant to be passed.
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // `server.close(() => resolve())`-style callbacks are idiomatic; block bodies elsewhere.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // Conflicts with no-non-null-assertion (strict): outside tests neither `!` nor this `as` is wanted.
      '@typescript-eslint/non-nullable-type-assertion-style': 'off',
      '@typescript-eslint/no-deprecated': [
        'error',
        {
          // openid-client marks it deprecated "only to make it stand out"; used for http issuers in dev/tests.
          allow: [{ from: 'package', package: 'openid-client', name: 'allowInsecureRequests' }],
        },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // Type-only imports cannot form a runtime cycle and are skipped by the rule.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },

  ...boundaryConfigs,

  {
    name: 'bff/tests',
    files: ['**/*.spec.ts', 'test/**/*.ts'],
    plugins: { jest },
    rules: {
      // A test asserts through `expect` or one of the repository's `expect*` helpers (expectContractError, ...).
      'jest/expect-expect': ['error', { assertFunctionNames: ['expect', 'expect*'] }],
      'jest/no-disabled-tests': 'error',
      'jest/valid-title': 'error',
      // A test that just set a value up may assert it is there.
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/non-nullable-type-assertion-style': 'error',
      // Jest's asymmetric matchers (`expect.any(String)`) are typed `any`.
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },

  // ---- Plain JavaScript ----
  {
    name: 'bff/commonjs-config',
    files: ['**/*.config.js', '**/*.cjs'],
    extends: [js.configs.recommended],
    languageOptions: { ecmaVersion: 2023, sourceType: 'commonjs', globals: { ...NODE_GLOBALS, ...COMMONJS_GLOBALS } },
  },
  {
    name: 'bff/esm-config',
    files: ['**/*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: NODE_GLOBALS },
  },

  prettier,
);
