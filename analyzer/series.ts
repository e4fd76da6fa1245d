import type { AnalyzerSource } from './AnalyzerSource.js';
import { ns } from './AnalyzerSource.js';
import type { Scope } from './reportSchema.js';
import { num, numberList, numOrNull, scopeKey, strOrNull } from './rows.js';
import type { TimeRange } from './window.js';

/** Dense per-bucket series of one scope; empty buckets have count 0 and NaN percentiles. */
export interface ScopeSeries {
  scope: Scope;
  count: Float64Array;
  errors: Float64Array;
  p50Ms: Float64Array;
  p95Ms: Float64Array;
  costUsd: Float64Array;
  queueDepthP95: Float64Array;
}

export interface SeriesSet {
  range: TimeRange;
  bucketNs: bigint;
  buckets: number;
  byScope: Map<string, ScopeSeries>;
  /** Epoch ns of the start of bucket i. */
  bucketStart(i: number): bigint;
}

/** Fetches per-bucket series for every scope over `range` (queries/analyzer_series.sql). */
export async function fetchSeries(source: AnalyzerSource, range: TimeRange, bucketNs: bigint): Promise<SeriesSet> {
  const buckets = Number((range.toNs - range.fromNs + bucketNs - 1n) / bucketNs);
  const rows = await source.named('analyzer_series', { from_ns: ns(range.fromNs), to_ns: ns(range.toNs), bucket_ns: ns(bucketNs) });
  const byScope = new Map<string, ScopeSeries>();
  for (const r of rows) {
    const scope = { agent: strOrNull(r.agent), operation: strOrNull(r.operation), model: strOrNull(r.model) };
    const key = scopeKey(scope);
    let s = byScope.get(key);
    if (!s) {
      const nan = (): Float64Array => new Float64Array(buckets).fill(NaN);
      s = { scope, count: new Float64Array(buckets), errors: new Float64Array(buckets), p50Ms: nan(), p95Ms: nan(), costUsd: new Float64Array(buckets), queueDepthP95: nan() };
      byScope.set(key, s);
    }
    const b = num(r.bucket);
    if (!(b >= 0 && b < buckets)) continue;
    s.count[b] = num(r.count);
    s.errors[b] = num(r.errors);
    const lat = numberList(r.latency_ns);
    s.p50Ms[b] = lat[0] / 1e6;
    s.p95Ms[b] = lat[1] / 1e6;
    s.costUsd[b] = num(r.cost_usd);
    s.queueDepthP95[b] = numOrNull(r.queue_depth_p95) ?? NaN;
  }
  return { range, bucketNs, buckets, byScope, bucketStart: (i) => range.fromNs + BigInt(i) * bucketNs };
}

/**
 * The series of buckets [from, to) with gaps filled by carrying the last value forward
 * (the first value backward), so change-point and trend models see a regular series.
 * Returns the filled values and how many buckets were observed.
 */
export function filledSlice(values: Float64Array, from: number, to: number): { values: Float64Array; observed: number } {
  const out = new Float64Array(Math.max(0, to - from));
  let observed = 0;
  let last = NaN;
  for (let i = from; i < to; i++) {
    const v = values[i];
    if (Number.isFinite(v)) {
      observed++;
      last = v;
    }
    out[i - from] = last;
  }
  const firstFinite = out.findIndex((v) => Number.isFinite(v));
  if (firstFinite > 0) out.fill(out[firstFinite], 0, firstFinite);
  return { values: out, observed };
}

/** Error rate per bucket (NaN where no spans). */
export function errorRateSeries(s: ScopeSeries): Float64Array {
  const out = new Float64Array(s.count.length);
  for (let i = 0; i < out.length; i++) out[i] = s.count[i] > 0 ? s.errors[i] / s.count[i] : NaN;
  return out;
}
