import { TracingConfig } from '@bff/config';
import { ownTracerProvider, samplerOf } from './sdk';

describe('samplerOf', () => {
  it.each([
    ['always_on', '1', 'AlwaysOnSampler'],
    ['always_off', '1', 'AlwaysOffSampler'],
    ['traceidratio', '0.25', 'TraceIdRatioBased{0.25}'],
    ['parentbased_always_on', '1', 'ParentBased{root=AlwaysOnSampler'],
    ['parentbased_always_off', '1', 'ParentBased{root=AlwaysOffSampler'],
    ['parentbased_traceidratio', '0.5', 'ParentBased{root=TraceIdRatioBased{0.5}'],
  ] as const)('maps OTEL_TRACES_SAMPLER=%s (arg %s) to %s', (sampler, samplerArg, described) => {
    expect(samplerOf({ sampler, samplerArg }).toString()).toContain(described);
  });
});

describe('ownTracerProvider', () => {
  it('names the service as configured', async () => {
    const config = Object.assign(new TracingConfig(), { serviceName: 'edge-bff', endpoint: 'http://127.0.0.1:9' });
    const provider = ownTracerProvider(config, 'http://127.0.0.1:9/v1/traces');
    const span = provider.getTracer('t').startSpan('x') as unknown as {
      resource: { attributes: Record<string, unknown> };
    };
    expect(span.resource.attributes['service.name']).toBe('edge-bff');
    await provider.shutdown();
  });
});
