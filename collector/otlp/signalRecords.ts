import type { AttrValue, Attributes } from '../../store/types.js';
import type { LogRecordIn, MetricKind, MetricPointIn, Temporality } from '../../store/signals.js';
import { windowProblem, type RecordProblem, type RejectionLog } from './decodeResult.js';

// What the protobuf and JSON decoders of logs and metrics share once the wire is read: how a
// record is built from its fields and when it is rejected (OTLP partial success), so both
// encodings accept and refuse exactly the same records.

/** SeverityNumber names after `SEVERITY_NUMBER_` (logs/v1/logs.proto), by number. */
export const SEVERITY_NAMES: readonly string[] = ['UNSPECIFIED', ...['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].flatMap((n) => [n, `${n}2`, `${n}3`, `${n}4`])];
/** AggregationTemporality names after `AGGREGATION_TEMPORALITY_` (metrics/v1/metrics.proto), by number. */
export const TEMPORALITY_NAMES: readonly string[] = ['UNSPECIFIED', 'DELTA', 'CUMULATIVE'];
/** DataPointFlags: the point is valid but has no recorded value (a staleness marker). */
export const NO_RECORDED_VALUE = 1;

const MAX_LABEL = 64;
/**
 * A record's resource until its envelope is complete: protobuf fields come in any order, so the
 * envelope walk sets the real resource on every record of a Resource… message once it has read it.
 */
const NO_RESOURCE: Attributes = Object.freeze({}) as Attributes;
const ZEROS_RE = /^0+$/;

const shape = (message: string): RecordProblem => ({ message, time: false });
/** A sender's name in a rejection message, kept short whatever the sender put there. */
export const clip = (s: string): string => (s.length > MAX_LABEL ? `${s.slice(0, MAX_LABEL)}…` : s);

/** A decoded id (lowercase hex), null when empty or all zeros; a wrong length is `logProblem`'s. */
export function idOrNull(hex: string): string | null {
  return hex === '' || ZEROS_RE.test(hex) ? null : hex;
}

/** A log record's fields as read from either encoding, before defaults and fallbacks. */
export interface LogFields {
  timeNs: bigint;
  observedNs: bigint;
  traceId: string;
  spanId: string;
  severityNumber: number;
  severityText: string;
  body: AttrValue;
  eventName: string;
  attributes: Attributes;
}

/** Builds a LogRecordIn: time falls back to the observed time, then to `nowNs`; the event name to the `event.name` attribute. */
export function logRecordOf(f: LogFields, nowNs: bigint): LogRecordIn {
  const attr = f.attributes['event.name'];
  return {
    timeNs: f.timeNs !== 0n ? f.timeNs : f.observedNs !== 0n ? f.observedNs : nowNs,
    observedNs: f.observedNs,
    traceId: idOrNull(f.traceId),
    spanId: idOrNull(f.spanId),
    severityNumber: f.severityNumber === 0 ? null : f.severityNumber,
    severityText: f.severityText === '' ? null : f.severityText,
    body: f.body,
    eventName: f.eventName !== '' ? f.eventName : typeof attr === 'string' && attr !== '' ? attr : null,
    attributes: f.attributes,
    resource: NO_RESOURCE,
    scopeName: null,
    scopeVersion: null,
  };
}

/** Returns why a decoded log record may not be stored, or null. */
export function logProblem(rec: LogRecordIn): RecordProblem | null {
  const what = rec.eventName === null ? 'log record' : `log record ${clip(rec.eventName)}`;
  if (rec.traceId !== null && rec.traceId.length !== 32) return shape(`${what}: trace_id must be empty or 16 bytes`);
  if (rec.spanId !== null && rec.spanId.length !== 16) return shape(`${what}: span_id must be empty or 8 bytes`);
  const sev = rec.severityNumber;
  if (sev !== null && !(sev >= 1 && sev < SEVERITY_NAMES.length)) return shape(`${what}: severity_number ${sev} is not defined`);
  // Observed first: when the record has no time of its own, its time is the observed time.
  if (rec.observedNs !== 0n) {
    const p = windowProblem(rec.observedNs, `${what}: observed_time_unix_nano`);
    if (p !== null) return p;
  }
  return windowProblem(rec.timeNs, `${what}: time_unix_nano`);
}

/** A data point to fill from the wire; the metric's fields are `keepMetricPoints`'s to set. */
export function blankPoint(kind: MetricKind): MetricPointIn {
  return {
    name: '', description: null, unit: null, kind, temporality: null, monotonic: null, startNs: 0n, timeNs: 0n,
    value: null, count: null, sum: null, min: null, max: null, bounds: null, bucketCounts: null, extra: null,
    attributes: {}, resource: NO_RESOURCE, scopeName: null, scopeVersion: null,
  };
}

/** A histogram's min or max: ±Infinity and NaN (an SDK's "nothing recorded") become null. */
export function finiteOrNull(v: number | null): number | null {
  return v !== null && Number.isFinite(v) ? v : null;
}

/** A double kept in `extra` (JSON): non-finite values as their string spelling, as in attributes. */
export function extraNumber(v: number): AttrValue {
  return Number.isFinite(v) ? v : String(v);
}

/** An exponential histogram's buckets as kept in `extra`; absent buckets are empty ones. */
export function bucketsOf(offset = 0, counts: number[] = []): Attributes {
  return { offset, bucket_counts: counts };
}

/** A metric's own fields; `temporality` is the raw AggregationTemporality number. */
export interface MetricFields {
  name: string;
  description: string;
  unit: string;
  kind: MetricKind;
  temporality: number;
  monotonic: boolean;
}

/**
 * Completes the points of one metric with its fields and moves those that may be stored to `out`;
 * the others are counted in `rej`. `flags[i]` are the DataPointFlags of `points[i]`.
 */
export function keepMetricPoints(m: MetricFields, points: MetricPointIn[], flags: number[], rej: RejectionLog, out: MetricPointIn[]): void {
  let temporality: Temporality | null = null;
  let metricProblem: RecordProblem | null = null;
  if (m.kind !== 'gauge' && m.kind !== 'summary') {
    if (m.temporality === 1) temporality = 'delta';
    else if (m.temporality === 2) temporality = 'cumulative';
    else if (m.temporality !== 0) metricProblem = shape(`metric ${clip(m.name)}: aggregation_temporality ${m.temporality} is not defined`);
  }
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    p.name = m.name;
    p.description = m.description === '' ? null : m.description;
    p.unit = m.unit === '' ? null : m.unit;
    p.temporality = temporality;
    p.monotonic = m.kind === 'sum' ? m.monotonic : null;
    const f = flags[i] ?? 0;
    if (f & NO_RECORDED_VALUE) p.value = p.sum = p.min = p.max = null;
    rej.keep(p, metricProblem ?? pointProblem(p, f), out);
  }
}

/** Returns why a completed data point may not be stored, or null. */
export function pointProblem(p: MetricPointIn, flags: number): RecordProblem | null {
  if (p.name === '') return shape('metric without a name');
  const what = `metric ${clip(p.name)}`;
  if (p.kind !== 'gauge' && p.kind !== 'summary' && p.temporality === null) return shape(`${what}: aggregation_temporality is unspecified`);
  if (p.timeNs === 0n) return shape(`${what}: time_unix_nano is missing`);
  const w = windowProblem(p.timeNs, `${what}: time_unix_nano`);
  if (w !== null) return w;
  if (p.startNs > p.timeNs) return shape(`${what}: start_time_unix_nano is after time_unix_nano`);
  if ((p.kind === 'gauge' || p.kind === 'sum') && p.value === null && !(flags & NO_RECORDED_VALUE)) {
    return shape(`${what}: data point has no value (as_double or as_int)`);
  }
  if (p.value !== null && !Number.isFinite(p.value)) return shape(`${what}: value is not a finite number`);
  if (p.sum !== null && !Number.isFinite(p.sum)) return shape(`${what}: sum is not a finite number`);
  if (p.monotonic === true && p.value !== null && p.value < 0) return shape(`${what}: negative value ${p.value} on a monotonic sum`);
  if (p.count !== null && p.count > Number.MAX_SAFE_INTEGER) return shape(`${what}: count is beyond 2^53`);
  const buckets = p.bucketCounts;
  if (buckets !== null) {
    if (buckets.length !== 0 && buckets.length !== (p.bounds?.length ?? 0) + 1) {
      return shape(`${what}: ${buckets.length} bucket_counts for ${p.bounds?.length ?? 0} explicit_bounds (must be one more)`);
    }
    for (const c of buckets) if (c > Number.MAX_SAFE_INTEGER) return shape(`${what}: a bucket count is beyond 2^53`);
  }
  return null;
}
