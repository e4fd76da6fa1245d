import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { DOUBLE, LIST, BIGINT, listValue } from '@duckdb/node-api';
import { vs } from './appendSpanRow.js';
import { clampNs, MAX_NS, type LogRow, type MetricRow } from './signalRows.js';

export { logRows, metricRows, sessionOf } from './signalRows.js';
export type { LogRow, MetricRow } from './signalRows.js';

/** Appending the rows of `signalRows.ts` to DuckDB, skipping those already stored. */

function vd(ap: DuckDBAppender, v: number | null): void {
  if (v === null || !Number.isFinite(v)) ap.appendNull();
  else ap.appendDouble(v);
}

function vb(ap: DuckDBAppender, v: number | null): void {
  if (v === null || !Number.isSafeInteger(Math.trunc(v))) ap.appendNull();
  else ap.appendBigInt(BigInt(Math.trunc(v)));
}

/** Keys of `keys` already stored in `table` (column `keyColumn`) with `time_ns` in [lo, hi]. */
async function existing(conn: DuckDBConnection, table: string, keyColumn: string, keys: readonly string[], lo: bigint, hi: bigint): Promise<Set<string>> {
  const probe = await conn.runAndReadAll(`SELECT count(*) FROM ${table} WHERE time_ns BETWEEN $lo AND $hi`, { lo, hi });
  if (Number(probe.getRows()[0]![0]) === 0) return new Set();
  await conn.run('DELETE FROM _signal_keys');
  const ap = await conn.createAppender('_signal_keys', 'main', 'temp');
  try {
    for (const k of keys) {
      ap.appendVarchar(k);
      ap.endRow();
    }
    ap.flushSync();
  } finally {
    ap.closeSync();
  }
  const res = await conn.runAndReadAll(
    `SELECT t.${keyColumn} FROM ${table} t SEMI JOIN temp.main._signal_keys k ON t.${keyColumn} = k.key WHERE t.time_ns BETWEEN $lo AND $hi`,
    { lo, hi },
  );
  return new Set(res.getRows().map((r) => String(r[0])));
}

function range(times: Iterable<bigint>): { lo: bigint; hi: bigint } {
  let lo = MAX_NS;
  let hi = 0n;
  for (const t of times) {
    if (t < lo) lo = t;
    if (t > hi) hi = t;
  }
  return { lo, hi };
}

/**
 * Appends the rows of `table` whose key is not stored yet (inside the caller's transaction), each
 * written by `write`; returns them. Rows of one batch span [lo, hi] in `time_ns`, which bounds the probe.
 */
async function appendFreshRows<R>(
  conn: DuckDBConnection,
  table: string,
  keyColumn: string,
  rows: readonly R[],
  keyOf: (r: R) => string,
  timeOf: (r: R) => bigint,
  write: (ap: DuckDBAppender, r: R) => void,
): Promise<readonly R[]> {
  if (rows.length === 0) return [];
  const { lo, hi } = range(rows.map(timeOf));
  const have = await existing(conn, table, keyColumn, rows.map(keyOf), lo, hi);
  const fresh = have.size === 0 ? rows : rows.filter((r) => !have.has(keyOf(r)));
  if (fresh.length === 0) return [];
  const ap = await conn.createAppender(table);
  try {
    for (const r of fresh) {
      write(ap, r);
      ap.endRow();
    }
    ap.flushSync();
  } finally {
    ap.closeSync();
  }
  return fresh;
}

/** Appends the log rows not stored yet (inside the caller's transaction); returns those rows (hook events become spans only once). */
export function appendFreshLogs(conn: DuckDBConnection, rows: readonly LogRow[]): Promise<readonly LogRow[]> {
  return appendFreshRows(conn, 'log_records', 'record_id', rows, (r) => r.recordId, (r) => r.timeNs, (ap, r) => {
    ap.appendBigInt(r.timeNs);
    ap.appendBigInt(r.observedNs);
    vs(ap, r.traceId);
    vs(ap, r.spanId);
    r.severityNumber === null ? ap.appendNull() : ap.appendInteger(r.severityNumber);
    vs(ap, r.severityText);
    vs(ap, r.body);
    vs(ap, r.eventName);
    vs(ap, r.serviceName);
    vs(ap, r.scopeName);
    vs(ap, r.sessionId);
    ap.appendVarchar(r.recordId);
    ap.appendVarchar(r.attributesJson);
    ap.appendVarchar(r.resourceJson);
  });
}

const DOUBLE_LIST = LIST(DOUBLE);
const BIGINT_LIST = LIST(BIGINT);

/** Appends the metric rows not stored yet (inside the caller's transaction); returns how many. */
export async function appendFreshPoints(conn: DuckDBConnection, rows: readonly MetricRow[]): Promise<number> {
  return (await appendFreshRows(conn, 'metric_points', 'point_id', rows, (r) => r.pointId, (r) => r.p.timeNs, (ap, r) => {
    const p = r.p;
    ap.appendVarchar(p.name);
    vs(ap, p.description);
    vs(ap, p.unit);
    ap.appendVarchar(p.kind);
    vs(ap, p.temporality);
    p.monotonic === null ? ap.appendNull() : ap.appendBoolean(p.monotonic);
    ap.appendBigInt(clampNs(p.startNs));
    ap.appendBigInt(clampNs(p.timeNs));
    vd(ap, p.value);
    vb(ap, p.count);
    vd(ap, p.sum);
    vd(ap, p.min);
    vd(ap, p.max);
    if (p.bounds === null) ap.appendNull();
    else ap.appendList(listValue(p.bounds), DOUBLE_LIST);
    if (p.bucketCounts === null) ap.appendNull();
    else ap.appendList(listValue(p.bucketCounts.map((c) => BigInt(Math.trunc(c)))), BIGINT_LIST);
    vs(ap, r.serviceName);
    vs(ap, p.scopeName);
    vs(ap, r.sessionId);
    ap.appendVarchar(r.seriesId);
    ap.appendVarchar(r.pointId);
    vs(ap, r.extraJson);
    ap.appendVarchar(r.attributesJson);
    ap.appendVarchar(r.resourceJson);
  })).length;
}
