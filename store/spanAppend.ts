import type { DuckDBConnection } from '@duckdb/node-api';
import { appendSpanRow } from './appendSpanRow.js';
import { forEachInSlices, mapInSlices } from './inSlices.js';
import { ResourceMemo, normalizeSpanWith, type NormalizedSpan } from './normalize.js';
import type { RollupAccumulator } from './rollups.js';
import type { SpanRecord } from './types.js';
import { uniqueBatch } from './uniqueBatch.js';

/**
 * A batch's spans normalised (one per (trace_id, span_id), resources memoised), with the start-time
 * range that bounds the duplicate probe. Runs before any transaction opens: a bad span fails here.
 */
export async function normalizeBatch(spans: readonly SpanRecord[]): Promise<{ rows: NormalizedSpan[]; lo: bigint; hi: bigint }> {
  const { unique, lo, hi } = uniqueBatch(spans);
  const memo = new ResourceMemo();
  const rows: NormalizedSpan[] = await mapInSlices(unique, (s) => normalizeSpanWith(s, memo));
  return { rows, lo, hi };
}

type Normalized = { rows: NormalizedSpan[]; lo: bigint; hi: bigint };

/** Two normalised batches as one (spans derived while writing join those sent); the first keeps a key both have. */
export function mergeNormalized(a: Normalized, b: Normalized): Normalized {
  if (a.rows.length === 0) return b;
  const seen = new Set(a.rows.map((r) => r.traceId + r.spanId));
  return { rows: a.rows.concat(b.rows.filter((r) => !seen.has(r.traceId + r.spanId))), lo: a.lo < b.lo ? a.lo : b.lo, hi: a.hi > b.hi ? a.hi : b.hi };
}

/** Appends the rows whose keys are not stored yet and adds them to `acc`; returns how many. */
export async function appendFresh(conn: DuckDBConnection, rows: readonly NormalizedSpan[], lo: bigint, hi: bigint, acc: RollupAccumulator): Promise<number> {
  const existing = await existingKeys(conn, rows, lo, hi);
  const fresh = existing.size === 0 ? rows : rows.filter((r) => !existing.has(r.traceId + r.spanId));
  await appendSpans(conn, fresh);
  for (const r of fresh) acc.add(r);
  return fresh.length;
}

/** Keys of `rows` already in `spans`. Same span ⇒ same start, so the time range bounds the probe. */
async function existingKeys(conn: DuckDBConnection, rows: readonly NormalizedSpan[], lo: bigint, hi: bigint): Promise<Set<string>> {
  const probe = await conn.runAndReadAll('SELECT count(*) FROM spans WHERE start_ns BETWEEN $lo AND $hi LIMIT 1', { lo, hi });
  if (Number(probe.getRows()[0][0]) === 0) return new Set();
  await conn.run('DELETE FROM _batch_keys');
  const ap = await conn.createAppender('_batch_keys', 'main', 'temp');
  try {
    for (const r of rows) {
      ap.appendVarchar(r.traceId);
      ap.appendVarchar(r.spanId);
      ap.endRow();
    }
    ap.flushSync();
  } finally {
    ap.closeSync();
  }
  const res = await conn.runAndReadAll(
    `SELECT s.trace_id, s.span_id FROM spans s SEMI JOIN temp.main._batch_keys k ON s.trace_id = k.trace_id AND s.span_id = k.span_id
     WHERE s.start_ns BETWEEN $lo AND $hi`,
    { lo, hi },
  );
  const out = new Set<string>();
  for (const [t, s] of res.getRows()) out.add(String(t) + String(s));
  return out;
}

async function appendSpans(conn: DuckDBConnection, rows: readonly NormalizedSpan[]): Promise<void> {
  if (rows.length === 0) return;
  const ap = await conn.createAppender('spans');
  try {
    await forEachInSlices(rows, (r) => appendSpanRow(ap, r));
    ap.flushSync();
  } finally {
    ap.closeSync();
  }
}
