import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_SECTIONS, envVarsOf, loadConfig } from '@bff/config';
import { BffMetrics } from '@bff/metrics';
import { parse, parseAllDocuments } from 'yaml';

const ROOT = join(__dirname, '..', '..');
const KUBERNETES = join(ROOT, 'deploy', 'kubernetes');
const DASHBOARD = join(ROOT, 'deploy', 'grafana', 'nest-bff.json');

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}
interface Probe {
  httpGet?: { path: string; port: string | number };
  timeoutSeconds?: number;
}
interface Container {
  name: string;
  ports?: { name: string; containerPort: number }[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  lifecycle?: { preStop?: { sleep?: { seconds: number } } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown>;
}
interface Manifest {
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  data?: Record<string, string>;
  spec?: {
    replicas?: number;
    minAvailable?: number;
    selector?: { matchLabels?: Record<string, string> } & Record<string, string>;
    ports?: { name: string; port: number; targetPort: string | number }[];
    template?: {
      metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
      spec: {
        terminationGracePeriodSeconds?: number;
        securityContext?: Record<string, unknown>;
        containers: Container[];
      };
    };
  };
}

/** Every name the BFF reads, from the config classes themselves (the reference of docs/configuration.md). */
const CONFIG_NAMES = new Map(CONFIG_SECTIONS.flatMap((section) => envVarsOf(section).map((spec) => [spec.name, spec])));

function manifests(): Manifest[] {
  const kustomization = parse(readFileSync(join(KUBERNETES, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
  return kustomization.resources.flatMap((file) =>
    parseAllDocuments(readFileSync(join(KUBERNETES, file), 'utf8')).map((document) => document.toJS() as Manifest),
  );
}

function only(kind: string): Manifest {
  const found = manifests().filter((manifest) => manifest.kind === kind);
  expect(found.map((manifest) => manifest.kind)).toEqual([kind]);
  return found[0]!;
}

/** Names of the metrics a PromQL expression (or a Grafana `label_values(...)` query) reads. */
function metricNamesIn(expression: string): string[] {
  const stripped = expression
    .replace(/label_values\(\s*([^,)]+)(?:,[^)]*)?\)/g, '$1')
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '')
    .replace(/\$\w+/g, '');
  return [...stripped.matchAll(/([A-Za-z_:][A-Za-z0-9_:]*)(\s*\()?/g)]
    .filter(([, , call]) => call === undefined)
    .map(([name]) => name.trim())
    .filter((name) => !['by', 'without', 'and', 'or', 'unless', 'bool', 'offset'].includes(name));
}

/** What the BFF's registry exports, read from a real BffMetrics: histograms as their three series. */
async function exportedSeries(): Promise<{ series: Set<string>; families: string[] }> {
  const metrics = await new BffMetrics().registry.getMetricsAsJSON();
  const series = new Set<string>();
  for (const { name, type } of metrics) {
    series.add(name);
    if (String(type) === 'histogram' || String(type) === 'summary') {
      for (const suffix of ['_bucket', '_sum', '_count']) series.add(`${name}${suffix}`);
    }
  }
  return { series, families: metrics.map((metric) => metric.name) };
}

describe('deploy/kubernetes', () => {
  const deployment = (): { manifest: Manifest; container: Container } => {
    const manifest = only('Deployment');
    const containers = manifest.spec?.template?.spec.containers ?? [];
    expect(containers).toHaveLength(1);
    return { manifest, container: containers[0]! };
  };
  /** The environment the container gets: the ConfigMap's keys, then its own `env`. */
  const environment = (): {
    names: string[];
    fromSecrets: Map<string, { name: string; key: string }>;
    plain: Record<string, string>;
  } => {
    const { container } = deployment();
    const configMap = only('ConfigMap');
    expect(container.envFrom).toEqual([{ configMapRef: { name: configMap.metadata.name } }]);
    const plain: Record<string, string> = { ...configMap.data };
    const fromSecrets = new Map<string, { name: string; key: string }>();
    for (const variable of container.env ?? []) {
      if (variable.valueFrom?.secretKeyRef) fromSecrets.set(variable.name, variable.valueFrom.secretKeyRef);
      else plain[variable.name] = variable.value ?? '';
    }
    return { names: [...Object.keys(plain), ...fromSecrets.keys()], fromSecrets, plain };
  };

  it('lists every manifest of the folder in kustomization.yaml', () => {
    const listed = (parse(readFileSync(join(KUBERNETES, 'kustomization.yaml'), 'utf8')) as { resources: string[] })
      .resources;
    const files = readdirSync(KUBERNETES).filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml');
    expect([...listed].sort()).toEqual(files.sort());
    expect(
      manifests()
        .map((manifest) => manifest.kind)
        .sort(),
    ).toEqual(['ConfigMap', 'Deployment', 'PodDisruptionBudget', 'Service']);
  });

  /** The configuration the pod runs with, the Secret's values made up. */
  const loadedConfig = (): ReturnType<typeof loadConfig> => {
    const { fromSecrets, plain } = environment();
    const secrets = Object.fromEntries(
      [...fromSecrets.keys()].map((name) => [name, name === 'REDIS_URL' ? 'redis://redis:6379' : 's'.repeat(48)]),
    );
    return loadConfig({ ...plain, ...secrets });
  };

  it('sets only variables the BFF reads', () => {
    const unknown = environment().names.filter((name) => !CONFIG_NAMES.has(name));
    expect(unknown).toEqual([]);
  });

  it('takes SESSION_SECRET, OIDC_CLIENT_SECRET and BFF_INTERNAL_TOKEN from one Secret, and no secret from the ConfigMap', () => {
    const { fromSecrets, plain } = environment();
    for (const name of ['SESSION_SECRET', 'OIDC_CLIENT_SECRET', 'BFF_INTERNAL_TOKEN']) {
      expect({ name, fromSecret: fromSecrets.has(name) }).toEqual({ name, fromSecret: true });
    }
    expect(new Set([...fromSecrets.values()].map((ref) => ref.name)).size).toBe(1);
    const secretInPlainSight = Object.keys(plain).filter((name) => CONFIG_NAMES.get(name)?.secret === true);
    expect(secretInPlainSight).toEqual([]);
  });

  it('gives values the BFF accepts, with ports that agree with the container and its probes', () => {
    const config = loadedConfig();
    const { container } = deployment();
    const portOf = (name: string) => container.ports?.find((port) => port.name === name)?.containerPort;
    expect(portOf('http')).toBe(config.server.port);
    expect(portOf('management')).toBe(config.server.managementPort);
    expect(config.server.managementPort).toEqual(expect.any(Number));
    // The kubelet and Prometheus reach the pod IP, not its loopback.
    expect(config.server.host).toBe('0.0.0.0');
    expect(config.server.managementHost).toBe('0.0.0.0');
  });

  it('probes liveness and readiness on the management port, readiness with time for its bounded checks', () => {
    const config = loadedConfig();
    const { container } = deployment();
    const targets = (probe: Probe | undefined) => probe?.httpGet;
    expect(targets(container.livenessProbe)).toEqual({ path: '/health/live', port: 'management' });
    expect(targets(container.readinessProbe)).toEqual({ path: '/health/ready', port: 'management' });
    if (container.startupProbe)
      expect(targets(container.startupProbe)).toEqual({ path: '/health/live', port: 'management' });
    expect((container.readinessProbe?.timeoutSeconds ?? 1) * 1000).toBeGreaterThan(config.oidc.httpTimeoutMs);
  });

  it('lets the BFF finish its graceful shutdown within the grace period', () => {
    const { manifest, container } = deployment();
    const shutdownMs = loadedConfig().server.shutdownTimeoutMs;
    const preStopMs = (container.lifecycle?.preStop?.sleep?.seconds ?? 0) * 1000;
    expect((manifest.spec?.template?.spec.terminationGracePeriodSeconds ?? 30) * 1000).toBeGreaterThan(
      shutdownMs + preStopMs,
    );
  });

  it('runs as non-root on a read-only root filesystem, with resources set', () => {
    const { manifest, container } = deployment();
    expect(manifest.spec?.template?.spec.securityContext).toMatchObject({ runAsNonRoot: true });
    expect(container.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.resources?.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
    expect(container.resources?.limits?.memory).toEqual(expect.any(String));
  });

  it('tells Prometheus to scrape /metrics on the management port', () => {
    const { manifest, container } = deployment();
    const annotations = manifest.spec?.template?.metadata.annotations ?? {};
    const management = container.ports?.find((port) => port.name === 'management')?.containerPort;
    expect(annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/path': '/metrics' });
    expect(Number(annotations['prometheus.io/port'])).toBe(management);
  });

  it('exposes the main port only through the Service, and keeps one instance through disruptions', () => {
    const { manifest } = deployment();
    const podLabels = manifest.spec?.template?.metadata.labels ?? {};
    const service = only('Service');
    expect(service.spec?.ports?.map((port) => port.targetPort)).toEqual(['http']);
    expect(podLabels).toMatchObject(service.spec?.selector ?? { missing: 'selector' });
    const budget = only('PodDisruptionBudget');
    expect(podLabels).toMatchObject(budget.spec?.selector?.matchLabels ?? { missing: 'selector' });
    expect(budget.spec?.minAvailable).toBeLessThan(manifest.spec?.replicas ?? 1);
  });
});

describe('deploy/grafana/nest-bff.json', () => {
  interface Panel {
    title?: string;
    type: string;
    targets?: { expr?: string }[];
    panels?: Panel[];
  }
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
    panels: Panel[];
    templating: { list: { query?: string | { query?: string }; type: string }[] };
  };
  const panels = dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]).filter((p) => p.type !== 'row');
  const expressions = [
    ...panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr ?? '')),
    ...dashboard.templating.list
      .filter((variable) => variable.type === 'query')
      .map((variable) => (typeof variable.query === 'string' ? variable.query : (variable.query?.query ?? ''))),
  ];

  it('reads metric names out of PromQL as this test needs it', () => {
    expect(
      metricNamesIn(
        'histogram_quantile(0.95, sum by (le, route) (rate(a_bucket{route=~"$r", x="y"}[$__rate_interval]))) / b',
      ),
    ).toEqual(['a_bucket', 'b']);
    expect(metricNamesIn('label_values(c_total, instance)')).toEqual(['c_total']);
  });

  it('queries only metrics the BFF exports', async () => {
    const { series } = await exportedSeries();
    expect(panels.length).toBeGreaterThan(10);
    for (const expression of expressions) {
      const names = metricNamesIn(expression);
      expect({ expression, names: names.length > 0 }).toEqual({ expression, names: true });
      const unknown = names.filter((name) => !series.has(name));
      expect({ expression, unknown }).toEqual({ expression, unknown: [] });
    }
  });

  it("charts every one of the BFF's own metrics (all but the process defaults)", async () => {
    const { families } = await exportedSeries();
    const used = new Set(expressions.flatMap(metricNamesIn).map((name) => name.replace(/_(bucket|sum|count)$/, '')));
    const unused = families.filter((family) => !family.startsWith('bff_process_') && !used.has(family));
    expect(unused).toEqual([]);
    for (const needed of ['bff_process_process_cpu_seconds_total', 'bff_process_process_resident_memory_bytes']) {
      expect(used.has(needed)).toBe(true);
    }
  });
});
