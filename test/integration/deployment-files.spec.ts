import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_SECTIONS, envVarsOf } from '@bff/config';
import { parse } from 'yaml';

const ROOT = join(__dirname, '..', '..');
const read = (file: string): string => readFileSync(join(ROOT, file), 'utf8');

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test?: unknown };
  depends_on?: Record<string, { condition?: string }>;
  network_mode?: string;
}

/** Docker cannot run here, so the compose file and Dockerfile are checked as data against the code. */
describe('deployment files', () => {
  const compose = parse(read('docker-compose.yml')) as { services: Record<string, ComposeService> };
  const services = compose.services;
  const bffVariables = new Set(CONFIG_SECTIONS.flatMap((section) => envVarsOf(section).map((spec) => spec.name)));
  const demoVariables = new Set([
    'DEV_IDP_PORT',
    'DEV_IDP_HOST',
    'DEV_IDP_ACCESS_TOKEN_TTL',
    'DEMO_API_URL',
    'DEMO_API_PORT',
    'DEMO_API_HOST',
    'DEMO_API_AUDIENCE',
    'BFF_INTERNAL_URL',
  ]);

  it('runs Redis, the dev IdP, the demo API and the BFF, each with a health check', () => {
    expect(Object.keys(services).sort()).toEqual(['bff', 'demo-api', 'dev-idp', 'redis']);
    for (const [name, service] of Object.entries(services)) {
      expect({ name, healthcheck: Array.isArray(service.healthcheck?.test) }).toEqual({ name, healthcheck: true });
    }
  });

  it('starts the BFF only once its dependencies are healthy', () => {
    const dependsOn = services.bff?.depends_on ?? {};
    for (const dependency of ['redis', 'dev-idp', 'demo-api'])
      expect(dependsOn[dependency]?.condition).toBe('service_healthy');
  });

  it('gives the BFF every required variable, and only variables the code reads', () => {
    const environment = services.bff?.environment ?? {};
    for (const required of ['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'SESSION_SECRET', 'REDIS_URL']) {
      expect(environment[required]).toEqual(expect.any(String));
    }
    const unknown = Object.keys(environment).filter((name) => !bffVariables.has(name) && !demoVariables.has(name));
    expect(unknown).toEqual([]);
    expect(environment.REDIS_URL).toMatch(/^redis:\/\/redis:/);
  });

  it('runs every app service from the one image, with commands that the build produces', () => {
    const startScript = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts.start ?? '';
    const bffEntry = startScript.replace(/^node /, '');
    for (const name of ['bff', 'dev-idp', 'demo-api']) expect(services[name]?.image).toBe('nest-bff:local');
    expect(services.bff?.command ?? ['node', bffEntry]).toEqual(['node', bffEntry]);
    expect(services['dev-idp']?.command).toEqual(['node', 'dist/apps/dev-idp/src/main.js']);
    expect(services['demo-api']?.command).toEqual(['node', 'dist/apps/demo-api/src/main.js']);
  });

  it('builds a multi-stage, non-root production image whose default command runs the BFF', () => {
    const dockerfile = read('Dockerfile');
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^CMD \["node", "dist\/apps\/bff\/src\/main\.js"\]$/m);
  });
});
