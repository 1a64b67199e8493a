import { configProblems, VALID_ENV } from '../../../test/support/config-problems';
import { configFromOptions, loadConfig } from './load-config';

function problemsOf(env: Record<string, string>): string[] {
  return configProblems(() => loadConfig({ ...VALID_ENV, ...env }));
}

describe('the OpenTelemetry variables', () => {
  it('default to tracing off, service nest-bff, parent-based always-on sampling over protobuf', () => {
    const { tracing } = loadConfig(VALID_ENV);
    expect(tracing).toEqual({
      protocol: 'http/protobuf',
      serviceName: 'nest-bff',
      sampler: 'parentbased_always_on',
      samplerArg: '1',
    });
  });

  it('read every standard variable', () => {
    const { tracing } = loadConfig({
      ...VALID_ENV,
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example/v1/traces',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'edge-bff',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
    });
    expect(tracing).toEqual({
      endpoint: 'http://otel-collector:4318',
      tracesEndpoint: 'https://traces.example/v1/traces',
      protocol: 'http/json',
      serviceName: 'edge-bff',
      sampler: 'parentbased_traceidratio',
      samplerArg: '0.25',
    });
  });

  it('refuse every bad value at once, each named by its variable', () => {
    const problems = problemsOf({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'otel-collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'ftp://traces',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_TRACES_SAMPLER: 'jaeger_remote',
      OTEL_TRACES_SAMPLER_ARG: '1.5',
    });
    expect(problems).toEqual([
      expect.stringMatching(/^OTEL_EXPORTER_OTLP_ENDPOINT: /),
      expect.stringMatching(/^OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: /),
      expect.stringMatching(
        /^OTEL_EXPORTER_OTLP_PROTOCOL: must be one of the following values: http\/protobuf, http\/json/,
      ),
      expect.stringMatching(/^OTEL_TRACES_SAMPLER: must be one of the following values: always_on/),
      'OTEL_TRACES_SAMPLER_ARG: must be a ratio from 0 to 1, e.g. 0.25',
    ]);
  });

  it.each(['0', '1', '0.5', '.5', '1.0'])('accept the ratio %s', (ratio) => {
    expect(loadConfig({ ...VALID_ENV, OTEL_TRACES_SAMPLER_ARG: ratio }).tracing.samplerArg).toBe(ratio);
  });

  it.each(['-0.1', '2', 'half', '1.01', ''])('refuse the ratio %p from code too', (ratio) => {
    const problems = configProblems(() =>
      configFromOptions({
        oidc: { issuer: VALID_ENV.OIDC_ISSUER, clientId: 'bff', clientSecret: 's' },
        session: { secret: 'x'.repeat(32) },
        tracing: { samplerArg: ratio },
      }),
    );
    expect(problems).toEqual(['OTEL_TRACES_SAMPLER_ARG: must be a ratio from 0 to 1, e.g. 0.25']);
  });
});
