import { ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { contextWithRemoteParent, remoteParentOf, traceHeadersOf } from './traceparent';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

describe('remoteParentOf', () => {
  it('reads a version 00 traceparent as a sampled remote parent', () => {
    expect(remoteParentOf({ traceparent: `00-${TRACE}-${SPAN}-01` })).toEqual({
      traceId: TRACE,
      spanId: SPAN,
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
  });

  it('keeps only the sampled bit of the flags', () => {
    expect(remoteParentOf({ traceparent: `00-${TRACE}-${SPAN}-fe` })?.traceFlags).toBe(TraceFlags.NONE);
    expect(remoteParentOf({ traceparent: `00-${TRACE}-${SPAN}-03` })?.traceFlags).toBe(TraceFlags.SAMPLED);
  });

  it('keeps the valid members of tracestate beside a valid traceparent', () => {
    const parent = remoteParentOf({ traceparent: `00-${TRACE}-${SPAN}-01`, tracestate: 'vendor=one,other=two' });
    expect(parent?.traceState?.get('vendor')).toBe('one');
    expect(parent?.traceState?.serialize()).toBe('vendor=one,other=two');
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['version ff', `ff-${TRACE}-${SPAN}-01`],
    ['version 01', `01-${TRACE}-${SPAN}-01`],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${SPAN}-01`],
    ['an all-zero span id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['uppercase hex', `00-${TRACE.toUpperCase()}-${SPAN}-01`],
    ['a fifth field', `00-${TRACE}-${SPAN}-01-00`],
    ['a long trace id', `00-${TRACE}00-${SPAN}-01`],
    ['a short span id', `00-${TRACE}-${SPAN.slice(1)}-01`],
    ['two headers, as Node joins them', `00-${TRACE}-${SPAN}-01, 00-${TRACE}-${SPAN}-01`],
    ['non-hex', `00-${TRACE.replace('4', 'g')}-${SPAN}-01`],
  ])('names no parent for %s', (_case, traceparent) => {
    expect(remoteParentOf(traceparent === undefined ? {} : { traceparent, tracestate: 'vendor=x' })).toBeUndefined();
  });

  it('names no parent for a traceparent sent as an array', () => {
    expect(remoteParentOf({ traceparent: [`00-${TRACE}-${SPAN}-01`] })).toBeUndefined();
  });
});

describe('contextWithRemoteParent', () => {
  it('puts a valid parent on the context and leaves the context alone otherwise', () => {
    const continued = contextWithRemoteParent(ROOT_CONTEXT, { traceparent: `00-${TRACE}-${SPAN}-01` });
    expect(trace.getSpanContext(continued)?.traceId).toBe(TRACE);
    expect(contextWithRemoteParent(ROOT_CONTEXT, { traceparent: 'garbage' })).toBe(ROOT_CONTEXT);
  });
});

describe('traceHeadersOf', () => {
  it('writes a version 00 traceparent that remoteParentOf reads back, with the tracestate', () => {
    const parent = remoteParentOf({ traceparent: `00-${TRACE}-${SPAN}-01`, tracestate: 'vendor=one' })!;
    const headers = traceHeadersOf(parent);
    expect(headers).toEqual({ traceparent: `00-${TRACE}-${SPAN}-01`, tracestate: 'vendor=one' });
    expect(remoteParentOf({ ...headers })).toMatchObject({ traceId: TRACE, spanId: SPAN });
  });

  it('writes flags 00 for an unsampled span and no tracestate when there is none', () => {
    expect(traceHeadersOf({ traceId: TRACE, spanId: SPAN, traceFlags: TraceFlags.NONE })).toEqual({
      traceparent: `00-${TRACE}-${SPAN}-00`,
    });
  });
});
