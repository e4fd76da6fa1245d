import type { SpanRecord } from './types.js';

/**
 * Drops repeats of (trace_id, span_id) within a batch and returns its start-time range: the
 * same span always has the same start, so [lo, hi] bounds the probe for already-stored copies.
 */
export function uniqueBatch(spans: readonly SpanRecord[]): { unique: SpanRecord[]; lo: bigint; hi: bigint } {
  const unique: SpanRecord[] = [];
  const seen = new Set<string>();
  let lo = spans[0].startNs;
  let hi = spans[0].startNs;
  for (const s of spans) {
    const key = s.traceId + s.spanId;
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(s);
    if (s.startNs < lo) lo = s.startNs;
    if (s.startNs > hi) hi = s.startNs;
  }
  return { unique, lo, hi };
}
