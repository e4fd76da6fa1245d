import type { Attributes } from '../../store/types.js';
import type { MetricKind, MetricPointIn } from '../../store/signals.js';
import { RejectionLog, type SignalDecodeResult } from './decodeResult.js';
import {
  arrayOf, attributesOf, bool, double, enumValue, field, int32, int64Number, isObject, nanos, objectOf, optString, parseJsonBody, RecordShapeError,
} from './jsonFields.js';
import { walkJsonRequest, type JsonLayout, type ScopeContext } from './jsonEnvelope.js';
import { blankPoint, bucketsOf, clip, extraNumber, finiteOrNull, keepMetricPoints, TEMPORALITY_NAMES, type MetricFields } from './signalRecords.js';
import { runSliced, runToEnd, type Steps } from './slices.js';

const METRICS_LAYOUT: JsonLayout = { resources: ['resourceMetrics', 'resource_metrics'], scopes: ['scopeMetrics', 'scope_metrics'], items: ['metrics', 'metrics'] };

/** The `data` oneof of a Metric: [lowerCamelCase, snake_case, kind]. */
const DATA_FIELDS: readonly (readonly [string, string, MetricKind])[] = [
  ['gauge', 'gauge', 'gauge'],
  ['sum', 'sum', 'sum'],
  ['histogram', 'histogram', 'histogram'],
  ['exponentialHistogram', 'exponential_histogram', 'exponential_histogram'],
  ['summary', 'summary', 'summary'],
];

/**
 * Decodes an OTLP/JSON `ExportMetricsServiceRequest` (int64 as string or number, enum names or
 * numbers, non-finite doubles as 'NaN'/'Infinity', lowerCamelCase or snake_case names). A body that
 * is not such a request throws `JsonDecodeError` (answer 400); invalid points are dropped and
 * counted (OTLP partial success).
 */
export function decodeMetricsRequestJson(body: Buffer | string): SignalDecodeResult<MetricPointIn> {
  const rej = new RejectionLog('data point(s)');
  const out: MetricPointIn[] = [];
  runToEnd(walkJsonRequest(parseJsonBody(body), METRICS_LAYOUT, rej, (raw, ctx) => visitMetric(raw, ctx, rej, out), pointsIn));
  return rej.result(out);
}

/** {@link decodeMetricsRequestJson} in slices of about `sliceMs`, yielding between points (the `JSON.parse` is one step). */
export async function decodeMetricsRequestJsonSliced(body: Buffer | string, sliceMs = 10): Promise<SignalDecodeResult<MetricPointIn>> {
  const rej = new RejectionLog('data point(s)');
  const out: MetricPointIn[] = [];
  await runSliced(walkJsonRequest(parseJsonBody(body), METRICS_LAYOUT, rej, (raw, ctx) => visitMetric(raw, ctx, rej, out), pointsIn), sliceMs);
  return rej.result(out);
}

/** The metric's data field, or null when it has none. */
function dataOf(o: Record<string, unknown>): { data: unknown; name: string; kind: MetricKind } | null {
  for (const [camel, snake, kind] of DATA_FIELDS) {
    const data = field(o, camel, snake);
    if (data !== undefined && data !== null) return { data, name: camel, kind };
  }
  return null;
}

/** How many data points a rejected metric takes with it. */
function pointsIn(raw: unknown): number {
  if (!isObject(raw)) return 1;
  const d = dataOf(raw);
  if (d === null) return 0;
  const points = isObject(d.data) ? field(d.data, 'dataPoints', 'data_points') : 1;
  return Array.isArray(points) ? points.length : points === undefined || points === null ? 0 : 1;
}

/** Checks the metric itself (throwing rejects it whole) and returns the steps that decode its points. */
function visitMetric(raw: unknown, ctx: ScopeContext, rej: RejectionLog, out: MetricPointIn[]): Steps<void> | void {
  const o = objectOf(raw, 'metric');
  const m: MetricFields = {
    name: optString(o.name, 'metric name'),
    description: optString(o.description, 'metric description'),
    unit: optString(o.unit, 'metric unit'),
    kind: 'gauge',
    temporality: 0,
    monotonic: false,
  };
  const d = dataOf(o);
  if (d === null) return;
  m.kind = d.kind;
  const data = objectOf(d.data, `metric ${clip(m.name)}: ${d.name}`);
  const rawPoints = arrayOf(field(data, 'dataPoints', 'data_points'), `metric ${clip(m.name)}: dataPoints`);
  if (m.kind !== 'gauge' && m.kind !== 'summary') {
    const t = field(data, 'aggregationTemporality', 'aggregation_temporality');
    m.temporality = enumValue(t, TEMPORALITY_NAMES, 'AGGREGATION_TEMPORALITY_', `metric ${clip(m.name)}: aggregationTemporality`);
  }
  if (m.kind === 'sum') m.monotonic = bool(field(data, 'isMonotonic', 'is_monotonic'), `metric ${clip(m.name)}: isMonotonic`);
  return pointSteps(m, rawPoints, ctx, rej, out);
}

function* pointSteps(m: MetricFields, rawPoints: unknown[], ctx: ScopeContext, rej: RejectionLog, out: MetricPointIn[]): Steps<void> {
  const points: MetricPointIn[] = [];
  const flags: number[] = [];
  for (const rp of rawPoints) {
    try {
      const p = toPoint(rp, m.kind, flags);
      p.resource = ctx.resource;
      p.scopeName = ctx.scopeName;
      p.scopeVersion = ctx.scopeVersion;
      points.push(p);
    } catch (err) {
      if (!(err instanceof RecordShapeError)) throw err;
      rej.add(`metric ${clip(m.name)}: ${err.message}`);
    }
    yield;
  }
  keepMetricPoints(m, points, flags, rej, out);
}

/** One data point of `kind`; pushes its flags to `flags` once it is complete. */
function toPoint(raw: unknown, kind: MetricKind, flags: number[]): MetricPointIn {
  const o = objectOf(raw, 'data point');
  const p = blankPoint(kind);
  p.attributes = attributesOf(o.attributes);
  p.startNs = nanos(field(o, 'startTimeUnixNano', 'start_time_unix_nano'), 'startTimeUnixNano');
  p.timeNs = nanos(field(o, 'timeUnixNano', 'time_unix_nano'), 'timeUnixNano');
  const pointFlags = Number(nanos(o.flags, 'flags') & 0xffffffffn);
  if (kind === 'gauge' || kind === 'sum') {
    p.value = double(field(o, 'asDouble', 'as_double'), 'asDouble') ?? int64Number(field(o, 'asInt', 'as_int'), 'asInt');
  } else {
    p.count = uint64(o.count, 'count');
    p.sum = double(o.sum, 'sum');
    p.min = finiteOrNull(double(o.min, 'min'));
    p.max = finiteOrNull(double(o.max, 'max'));
  }
  if (kind === 'histogram') {
    p.bucketCounts = arrayOf(field(o, 'bucketCounts', 'bucket_counts'), 'bucketCounts').map((c) => uint64(c, 'bucketCounts[]'));
    p.bounds = arrayOf(field(o, 'explicitBounds', 'explicit_bounds'), 'explicitBounds').map((b) => boundOf(b));
  } else if (kind === 'exponential_histogram') {
    p.extra = {
      scale: int32(o.scale, 'scale'),
      zero_count: uint64(field(o, 'zeroCount', 'zero_count'), 'zeroCount'),
      zero_threshold: extraNumber(double(field(o, 'zeroThreshold', 'zero_threshold'), 'zeroThreshold') ?? 0),
      positive: buckets(o.positive, 'positive'),
      negative: buckets(o.negative, 'negative'),
    };
  } else if (kind === 'summary') {
    // A plain proto3 double here (0 when absent), unlike the histograms' optional sum.
    p.sum ??= 0;
    const quantiles = arrayOf(field(o, 'quantileValues', 'quantile_values'), 'quantileValues').map((q) => {
      const qo = objectOf(q, 'quantileValues[]');
      return { quantile: extraNumber(double(qo.quantile, 'quantile') ?? 0), value: extraNumber(double(qo.value, 'quantile value') ?? 0) };
    });
    p.extra = { quantiles };
  }
  flags.push(pointFlags);
  return p;
}

function boundOf(v: unknown): number {
  const b = double(v, 'explicitBounds[]');
  if (b === null) throw new RecordShapeError('explicitBounds[] must be numbers');
  return b;
}

function uint64(v: unknown, what: string): number {
  return Number(nanos(v, what));
}

function buckets(v: unknown, what: string): Attributes {
  if (v === undefined || v === null) return bucketsOf();
  const o = objectOf(v, what);
  return bucketsOf(int32(o.offset, `${what}.offset`), arrayOf(field(o, 'bucketCounts', 'bucket_counts'), `${what}.bucketCounts`).map((c) => uint64(c, `${what}.bucketCounts[]`)));
}
