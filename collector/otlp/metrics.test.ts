import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ValueType, type Attributes as OtelAttributes, type Meter } from '@opentelemetry/api';
import {
  AggregationTemporality, AggregationType, DataPointType, MeterProvider, MetricReader,
  type ExponentialHistogram, type Histogram, type MetricData, type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { JsonMetricsSerializer, ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import type { MetricKind, MetricPointIn } from '../../store/signals.js';
import type { AttrValue, Attributes } from '../../store/types.js';
import { decodeMetricsRequestProtobuf, decodeMetricsRequestProtobufSliced } from './metricsProtobuf.js';
import { decodeMetricsRequestJson, decodeMetricsRequestJsonSliced } from './metricsJson.js';
import { ProtoDecodeError } from './ProtoReader.js';
import { JsonDecodeError } from './jsonFields.js';
import { double, fixed64, kvInt, kvString, ld, packedDoubles, packedFixed64, request, sint, str, vint, varint, type Bytes } from '../../test/otlpWire.js';

const hrToNs = (t: [number, number]): bigint => BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]);

function norm(v: unknown): AttrValue {
  if (Array.isArray(v)) return v.map(norm);
  if (typeof v === 'number' && Number.isInteger(v)) return Number.isSafeInteger(v) ? v + 0 : BigInt(v).toString();
  return (v ?? null) as AttrValue;
}
const normAttrs = (a: OtelAttributes): Attributes => Object.fromEntries(Object.entries(a).map(([k, v]) => [k, norm(v)]));
const finite = (v: number | undefined): number | null => (v !== undefined && Number.isFinite(v) ? v : null);

const KINDS: Record<DataPointType, MetricKind> = {
  [DataPointType.GAUGE]: 'gauge',
  [DataPointType.SUM]: 'sum',
  [DataPointType.HISTOGRAM]: 'histogram',
  [DataPointType.EXPONENTIAL_HISTOGRAM]: 'exponential_histogram',
};

/** What the decoders must give for SDK metrics, derived independently of them. */
function expected(rm: ResourceMetrics): MetricPointIn[] {
  const out: MetricPointIn[] = [];
  for (const sm of rm.scopeMetrics) {
    for (const m of sm.metrics as MetricData[]) {
      for (const dp of m.dataPoints) {
        const p: MetricPointIn = {
          name: m.descriptor.name, description: m.descriptor.description || null, unit: m.descriptor.unit || null, kind: KINDS[m.dataPointType],
          temporality: m.dataPointType === DataPointType.GAUGE ? null : m.aggregationTemporality === AggregationTemporality.DELTA ? 'delta' : 'cumulative',
          monotonic: m.dataPointType === DataPointType.SUM ? m.isMonotonic : null,
          startNs: hrToNs(dp.startTime), timeNs: hrToNs(dp.endTime),
          value: null, count: null, sum: null, min: null, max: null, bounds: null, bucketCounts: null, extra: null,
          attributes: normAttrs(dp.attributes), resource: normAttrs(rm.resource.attributes), scopeName: sm.scope.name || null, scopeVersion: sm.scope.version || null,
        };
        if (m.dataPointType === DataPointType.GAUGE || m.dataPointType === DataPointType.SUM) p.value = dp.value as number;
        else {
          const h = dp.value as Histogram | ExponentialHistogram;
          Object.assign(p, { count: h.count, sum: h.sum ?? null, min: finite(h.min), max: finite(h.max) });
          if ('buckets' in h) Object.assign(p, { bounds: h.buckets.boundaries, bucketCounts: h.buckets.counts });
          else {
            const b = (x: { offset: number; bucketCounts: number[] }) => ({ offset: x.offset, bucket_counts: x.bucketCounts });
            p.extra = { scale: h.scale, zero_count: h.zeroCount, zero_threshold: 0, positive: b(h.positive), negative: b(h.negative) };
          }
        }
        out.push(p);
      }
    }
  }
  return out;
}

/** A reader that exports nothing: the test calls collect() and serializes the result itself. */
class CollectingReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

async function collect(temporality: AggregationTemporality, record: (meter: Meter) => void): Promise<ResourceMetrics> {
  const reader = new CollectingReader({ aggregationTemporalitySelector: () => temporality });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': 'claude-code', 'host.cores': 8 }),
    readers: [reader],
    views: [{ instrumentName: 'tool.latency.exp', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
  });
  record(provider.getMeter('com.anthropic.claude_code', '2.0.14'));
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
  await provider.shutdown();
  return resourceMetrics;
}

function agentMetrics(meter: Meter): void {
  const tokens = meter.createCounter('claude_code.token.usage', { unit: 'tokens', description: 'Tokens used', valueType: ValueType.INT });
  tokens.add(1200, { type: 'input', model: 'claude-sonnet-4-5', 'session.id': '12345', 'attempt': 2, tags: ['a', 'b'] });
  tokens.add(300, { type: 'output', model: 'claude-sonnet-4-5', 'session.id': '12345', 'attempt': 2, tags: ['a', 'b'] });
  meter.createCounter('claude_code.cost.usage', { unit: 'USD' }).add(0.0123, { ratio: 0.5, cached: true });
  const sessions = meter.createUpDownCounter('agent.active_sessions', { valueType: ValueType.INT });
  sessions.add(3);
  sessions.add(-5);
  meter.createGauge('agent.context.fill').record(0.82, { model: 'gpt-5' });
  meter.createObservableGauge('process.memory.rss', { unit: 'By', valueType: ValueType.INT }).addCallback((r) => r.observe(123_456_789, { pid: 42 }));
  const duration = meter.createHistogram('gen_ai.client.operation.duration', { unit: 's' });
  for (const v of [0.2, 1.5, 7, 7, 3000]) duration.record(v, { 'gen_ai.operation.name': 'chat' });
  meter.createHistogram('tool.calls', { advice: { explicitBucketBoundaries: [1, 10, 100] }, valueType: ValueType.INT }).record(12);
  const exp = meter.createHistogram('tool.latency.exp', { unit: 'ms' });
  for (const v of [0, 0.5, 3, 3, 250, 1e6]) exp.record(v, { tool: 'Bash' });
  meter.createHistogram('never.recorded');
}

describe('decodeMetricsRequestProtobuf', () => {
  for (const temporality of [AggregationTemporality.DELTA, AggregationTemporality.CUMULATIVE]) {
    it(`decodes what the official protobuf serializer writes, field for field (${AggregationTemporality[temporality].toLowerCase()})`, async () => {
      const rm = await collect(temporality, agentMetrics);
      const res = decodeMetricsRequestProtobuf(Buffer.from(ProtobufMetricsSerializer.serializeRequest(rm)!));
      expect(res.errorMessage).toBe('');
      expect(res.records).toEqual(expected(rm));
      const kinds = new Set(res.records.map((p) => `${p.kind}/${p.temporality}/${p.monotonic}`));
      const t = temporality === AggregationTemporality.DELTA ? 'delta' : 'cumulative';
      expect([...kinds].sort()).toEqual(['exponential_histogram/' + t + '/null', 'gauge/null/null', 'histogram/' + t + '/null', 'sum/' + t + '/false', 'sum/' + t + '/true'].sort());
    });
  }

  it('rejects only the bad points (OTLP partial success), saying why', () => {
    const t = [...fixed64(2, 1_760_000_000_000_000_000n), ...fixed64(3, 1_760_000_000_000_000_100n)];
    const asInt = (n: bigint) => fixed64(6, n);
    const num = (...fields: Bytes[]) => ld(1, [...t, ...fields.flat()]);
    const sum = (name: string, points: Bytes[], temporality = 2) => [...str(1, name), ...ld(7, [...points.flat(), ...vint(2, temporality), ...vint(3, 1)])];
    const res = decodeMetricsRequestProtobuf(request([
      sum('tokens', [num(asInt(5n)), num(asInt(-1n)), num(double(4, NaN)), num(double(4, 7.5), kvString(7, 'k', 'v'))]),
      [...str(1, 'latency'), ...ld(9, num(fixed64(4, 0n)))],
      sum('bad.temporality', [num(asInt(1n))], 7),
      [...str(1, 'gauge'), ...ld(5, [...num(asInt(1n)), ...num(vint(8, 1)), ...num(), ...ld(1, [...fixed64(3, 1_000_000n), ...double(4, 1)])])],
    ]));
    expect(res.records.map((p) => [p.name, p.value])).toEqual([['tokens', 5], ['tokens', 7.5], ['gauge', 1], ['gauge', null]]);
    expect(res.records[1]!.attributes).toEqual({ k: 'v' });
    expect(res.rejected).toBe(6);
    expect(res.outOfWindow).toBe(1);
    expect(res.errorMessage).toBe('rejected 6 data point(s): metric tokens: negative value -1 on a monotonic sum; metric tokens: value is not a finite number; metric latency: aggregation_temporality is unspecified (+3 more)');
  });

  it('reads summaries, hand-written exponential histograms and unpacked repeated fields', () => {
    const t = [...fixed64(2, 1_760_000_000_000_000_000n), ...fixed64(3, 1_760_000_000_000_000_100n)];
    const quantile = (q: number, v: number) => ld(6, [...double(1, q), ...double(2, v)]);
    const summary = [...str(1, 'rpc.duration'), ...str(3, 'ms'), ...ld(11, ld(1, [...t, ...fixed64(4, 10n), ...double(5, 123.5), ...quantile(0.5, 10), ...quantile(0.99, NaN), ...kvInt(7, 'shard', 3)]))];
    const buckets = (offset: number, counts: number[]) => [...sint(1, offset), ...counts.flatMap((c) => vint(2, c))];
    const exp = [...str(1, 'exp'), ...ld(10, [...vint(2, 1), ...ld(1, [...kvString(1, '__proto__', 'x'), ...t, ...fixed64(4, 6n), ...double(5, 12), ...sint(6, -3), ...fixed64(7, 1n),
      ...ld(8, buckets(-2, [1, 2])), ...ld(9, buckets(5, [2])), ...double(12, -4), ...double(13, Infinity), ...double(14, 0.001)])])];
    const unpacked = [...t, ...fixed64(4, 3n), ...[1n, 2n].flatMap((c) => fixed64(6, c)), ...double(7, 10)];
    const packed = [...t, ...fixed64(4, 3n), ...packedFixed64(6, [1n, 2n]), ...packedDoubles(7, [10])];
    const histogram = (name: string, point: Bytes) => [...str(1, name), ...ld(9, [...ld(1, point), ...vint(2, 1)])];
    const res = decodeMetricsRequestProtobuf(request([summary, exp, histogram('h', unpacked), histogram('h', packed)]));
    expect(res.errorMessage).toBe('');
    const [s, e, h1, h2] = res.records;
    expect(s).toMatchObject({ kind: 'summary', unit: 'ms', temporality: null, monotonic: null, count: 10, sum: 123.5, min: null, extra: { quantiles: [{ quantile: 0.5, value: 10 }, { quantile: 0.99, value: 'NaN' }] }, attributes: { shard: 3 } });
    expect(e).toMatchObject({ kind: 'exponential_histogram', temporality: 'delta', count: 6, sum: 12, min: -4, max: null,
      extra: { scale: -3, zero_count: 1, zero_threshold: 0.001, positive: { offset: -2, bucket_counts: [1, 2] }, negative: { offset: 5, bucket_counts: [2] } } });
    expect(Object.keys(e!.attributes)).toEqual(['__proto__']);
    expect(h1).toMatchObject({ kind: 'histogram', count: 3, sum: null, bounds: [10], bucketCounts: [1, 2] });
    expect(h2).toEqual(h1);
  });

  it('refuses damaged wire with ProtoDecodeError', async () => {
    const body = Buffer.from(ProtobufMetricsSerializer.serializeRequest(await collect(AggregationTemporality.CUMULATIVE, agentMetrics))!);
    for (let cut = 1; cut < body.length; cut++) {
      expect(() => decodeMetricsRequestProtobuf(body.subarray(0, cut)), `cut at ${cut}`).toThrow(ProtoDecodeError);
    }
    // A packed fixed64 run that is not a multiple of 8 bytes.
    expect(() => decodeMetricsRequestProtobuf(request([[...str(1, 'h'), ...ld(9, ld(1, ld(6, [1, 2, 3])))]]))).toThrow(ProtoDecodeError);
    expect(() => decodeMetricsRequestProtobuf(request([[...str(1, 'g'), ...ld(5, ld(1, vint(4, 1)))]]))).toThrow(/field 4 has wire type 0/);
  });

  it('never throws anything but ProtoDecodeError on random bytes or mutations of a real request', async () => {
    const valid = Buffer.from(ProtobufMetricsSerializer.serializeRequest(await collect(AggregationTemporality.DELTA, agentMetrics))!);
    const tolerant = (b: Buffer) => {
      try {
        decodeMetricsRequestProtobuf(b);
      } catch (e) {
        if (!(e instanceof ProtoDecodeError)) throw e;
      }
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => tolerant(Buffer.from(bytes))), { numRuns: 3000 });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), (edits) => {
        const b = Buffer.from(valid);
        for (const [i, v] of edits) b[i] = v;
        tolerant(b);
      }),
      { numRuns: 3000 },
    );
  });

  it('decodes in slices to the same result, letting the event loop in', async () => {
    const t = [...fixed64(2, 1_760_000_000_000_000_000n), ...fixed64(3, 1_760_000_000_000_000_100n)];
    const points: number[] = [];
    for (let i = 0; i < 20_000; i++) points.push(...ld(1, [...t, ...double(4, i), ...kvInt(7, 'i', i)]));
    const body = request([[...str(1, 'g'), ...varint((5 << 3) | 2), ...varint(points.length), ...points]]);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const sliced = await decodeMetricsRequestProtobufSliced(body, 1);
    clearInterval(timer);
    expect(sliced.records).toHaveLength(20_000);
    expect(sliced).toEqual(decodeMetricsRequestProtobuf(body));
    expect(ticks).toBeGreaterThan(0);
  });
});

describe('decodeMetricsRequestJson', () => {
  for (const temporality of [AggregationTemporality.DELTA, AggregationTemporality.CUMULATIVE]) {
    it(`decodes what the official JSON serializer writes, field for field (${AggregationTemporality[temporality].toLowerCase()})`, async () => {
      const rm = await collect(temporality, agentMetrics);
      const res = decodeMetricsRequestJson(Buffer.from(JsonMetricsSerializer.serializeRequest(rm)!));
      expect(res.errorMessage).toBe('');
      expect(res.records).toEqual(expected(rm));
    });
  }

  it('accepts snake_case, enum names, int64 as strings, non-finite doubles as strings; rejects only the bad points', () => {
    const t = { start_time_unix_nano: '1760000000000000000', time_unix_nano: '1760000000000000100' };
    const doc = {
      resource_metrics: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'codex' } }] }, scope_metrics: [{ scope: { name: 'codex_otel' }, metrics: [
        { name: 'codex.turns', sum: { aggregation_temporality: 'AGGREGATION_TEMPORALITY_DELTA', is_monotonic: true, data_points: [{ ...t, as_int: '9007199254740993', attributes: [{ key: 'n', value: { int_value: '12' } }] }, { ...t, asDouble: 'NaN' }, { ...t, asInt: -2 }, { ...t, asInt: 'x' }] } },
        { name: 'rpc', summary: { dataPoints: [{ ...t, count: '4', quantile_values: [{ quantile: 1, value: 'Infinity' }] }] } },
        { name: 'exp', exponential_histogram: { aggregationTemporality: 2, dataPoints: [{ ...t, count: 3, sum: '1.5', scale: -1, zero_count: '1', zero_threshold: 0.5, positive: { offset: -1, bucket_counts: ['1', 1] }, flags: 0 }] } },
        { name: 'bogus', histogram: { aggregationTemporality: 'AGGREGATION_TEMPORALITY_SOMETIMES', dataPoints: [{}, {}, {}] } },
        { name: 'stale', gauge: { dataPoints: [{ ...t, flags: 1 }, { ...t }] } },
      ] }] }],
    };
    const res = decodeMetricsRequestJson(JSON.stringify(doc));
    expect(res.records.map((p) => [p.name, p.kind, p.value])).toEqual([['codex.turns', 'sum', 9007199254740992], ['rpc', 'summary', null], ['exp', 'exponential_histogram', null], ['stale', 'gauge', null]]);
    expect(res.records[0]).toMatchObject({ temporality: 'delta', monotonic: true, attributes: { n: 12 }, resource: { 'service.name': 'codex' }, scopeName: 'codex_otel' });
    expect(res.records[1]).toMatchObject({ count: 4, sum: 0, extra: { quantiles: [{ quantile: 1, value: 'Infinity' }] } });
    expect(res.records[2]).toMatchObject({ count: 3, sum: 1.5, temporality: 'cumulative', extra: { scale: -1, zero_count: 1, zero_threshold: 0.5, positive: { offset: -1, bucket_counts: [1, 1] }, negative: { offset: 0, bucket_counts: [] } } });
    expect(res.rejected).toBe(3 + 3 + 1);
    expect(res.errorMessage).toBe('rejected 7 data point(s): metric codex.turns: asInt must be a signed 64-bit integer (string or number); metric codex.turns: value is not a finite number; metric codex.turns: negative value -2 on a monotonic sum (+4 more)');
  });

  it('refuses bodies that are not an export request with JsonDecodeError', () => {
    for (const body of ['{"resourceMetrics": [', '"x"', '{"resourceMetrics": {}}', '{"resourceMetrics": [{"scopeMetrics": [{"metrics": 1}]}]}']) {
      expect(() => decodeMetricsRequestJson(body), body).toThrow(JsonDecodeError);
    }
    expect(decodeMetricsRequestJson('{"resourceMetrics": [{"scopeMetrics": [{"metrics": [{"name": "no.data"}]}]}]}')).toEqual({ records: [], rejected: 0, errorMessage: '', outOfWindow: 0 });
  });

  it('never throws anything but JsonDecodeError on random JSON, random metrics or broken text', async () => {
    const tolerant = (body: string) => {
      try {
        decodeMetricsRequestJson(body);
      } catch (e) {
        if (!(e instanceof JsonDecodeError)) throw e;
      }
    };
    fc.assert(fc.property(fc.json(), tolerant), { numRuns: 2000 });
    const data = fc.record({ dataPoints: fc.array(fc.anything()), aggregationTemporality: fc.anything(), isMonotonic: fc.anything() }, { requiredKeys: [] });
    const metric = fc.oneof(fc.anything(), fc.record({ name: fc.anything(), gauge: data, sum: data, histogram: data, exponentialHistogram: data, summary: data }, { requiredKeys: [] }));
    fc.assert(fc.property(fc.array(metric), (metrics) => tolerant(JSON.stringify({ resourceMetrics: [{ scopeMetrics: [{ metrics }] }] }) ?? '')), { numRuns: 2000 });
    const valid = Buffer.from(JsonMetricsSerializer.serializeRequest(await collect(AggregationTemporality.DELTA, agentMetrics))!).toString();
    fc.assert(fc.property(fc.nat(valid.length - 1), fc.string({ maxLength: 3 }), (at, s) => tolerant(valid.slice(0, at) + s + valid.slice(at + 1))), { numRuns: 2000 });
  });

  it('decodes in slices to the same result', async () => {
    const body = Buffer.from(JsonMetricsSerializer.serializeRequest(await collect(AggregationTemporality.DELTA, agentMetrics))!);
    expect(await decodeMetricsRequestJsonSliced(body, 0)).toEqual(decodeMetricsRequestJson(body));
  });
});

const attrValue = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.double({ noNaN: true, min: -1e9, max: 1e9 }).filter((d) => !Number.isInteger(d)), fc.boolean(), fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }));
const attrs = fc.dictionary(fc.string({ maxLength: 8 }), attrValue, { maxKeys: 3 });
const op = fc.oneof(
  fc.record({ kind: fc.constant('counter' as const), value: fc.nat(), attrs }),
  fc.record({ kind: fc.constant('updown' as const), value: fc.integer({ min: -1e9, max: 1e9 }), attrs }),
  fc.record({ kind: fc.constant('gauge' as const), value: fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => d + 0), attrs }),
  fc.record({ kind: fc.constant('histogram' as const), value: fc.double({ noNaN: true, min: 0, max: 1e9 }), attrs }),
  fc.record({ kind: fc.constant('exp' as const), value: fc.double({ noNaN: true, min: 0, max: 1e9 }), attrs }),
);

describe('metrics decoders, property-based', () => {
  it('decode random measurements written by the official serializers back to the same points, in both encodings', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(AggregationTemporality.DELTA, AggregationTemporality.CUMULATIVE), fc.array(op, { minLength: 1, maxLength: 8 }), async (temporality, ops) => {
        const rm = await collect(temporality, (meter) => {
          const counter = meter.createCounter('c', { valueType: ValueType.INT });
          const updown = meter.createUpDownCounter('u', { valueType: ValueType.INT });
          const gauge = meter.createGauge('g');
          const histogram = meter.createHistogram('h');
          const exp = meter.createHistogram('tool.latency.exp');
          for (const o of ops) {
            if (o.kind === 'counter') counter.add(o.value, o.attrs);
            else if (o.kind === 'updown') updown.add(o.value, o.attrs);
            else if (o.kind === 'gauge') gauge.record(o.value, o.attrs);
            else if (o.kind === 'histogram') histogram.record(o.value, o.attrs);
            else exp.record(o.value, o.attrs);
          }
        });
        const want = { records: expected(rm), rejected: 0, errorMessage: '', outOfWindow: 0 };
        expect(decodeMetricsRequestProtobuf(Buffer.from(ProtobufMetricsSerializer.serializeRequest(rm)!))).toEqual(want);
        expect(decodeMetricsRequestJson(Buffer.from(JsonMetricsSerializer.serializeRequest(rm)!))).toEqual(want);
      }),
      { numRuns: 150 },
    );
  });
});
