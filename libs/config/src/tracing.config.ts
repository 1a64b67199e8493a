import { IsIn, IsOptional, IsString, IsUrl, Matches, MinLength } from 'class-validator';
import { EnvVar } from './env-var.decorator';

/** The samplers of the OpenTelemetry specification that need no remote service. */
export const TRACE_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;

export type TraceSampler = (typeof TRACE_SAMPLERS)[number];

/** OTLP over HTTP: protobuf (the specification's default) or JSON. */
export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;

export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

const OTLP_URL = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

/**
 * OpenTelemetry traces, read from the specification's own variables. Tracing is on
 * exactly when an exporter endpoint is set; unset, no SDK is loaded and no span is made.
 */
export class TracingConfig {
  @EnvVar('OTEL_EXPORTER_OTLP_ENDPOINT', {
    doc: 'Base URL of an OTLP/HTTP collector (e.g. `http://otel-collector:4318`); traces go to `<it>/v1/traces`. Setting it (or the next variable) turns tracing on; see docs/observability.md.',
  })
  @IsOptional()
  @IsUrl(OTLP_URL)
  endpoint?: string;

  @EnvVar('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', {
    doc: 'Full URL traces are posted to, used as is; wins over OTEL_EXPORTER_OTLP_ENDPOINT.',
  })
  @IsOptional()
  @IsUrl(OTLP_URL)
  tracesEndpoint?: string;

  @EnvVar('OTEL_EXPORTER_OTLP_PROTOCOL', {
    doc: 'OTLP encoding: `http/protobuf` or `http/json` (gRPC is not offered).',
    default: 'http/protobuf',
  })
  @IsIn(OTLP_PROTOCOLS)
  protocol: OtlpProtocol = 'http/protobuf';

  @EnvVar('OTEL_SERVICE_NAME', { doc: 'The `service.name` of every span.', default: 'nest-bff' })
  @IsString()
  @MinLength(1)
  serviceName = 'nest-bff';

  @EnvVar('OTEL_TRACES_SAMPLER', {
    doc: 'Which traces are kept: `always_on`, `always_off`, `traceidratio`, `parentbased_always_on`, `parentbased_always_off` or `parentbased_traceidratio` (parent-based samplers follow the sampled flag of an incoming `traceparent`).',
    default: 'parentbased_always_on',
  })
  @IsIn(TRACE_SAMPLERS)
  sampler: TraceSampler = 'parentbased_always_on';

  @EnvVar('OTEL_TRACES_SAMPLER_ARG', {
    doc: 'The ratio of the `*traceidratio` samplers, from 0 to 1.',
    default: '1',
  })
  @IsString()
  @Matches(/^(?:0(?:\.\d+)?|1(?:\.0*)?|\.\d+)$/, { message: 'must be a ratio from 0 to 1, e.g. 0.25' })
  samplerArg = '1';
}
