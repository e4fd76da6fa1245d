import { createHash } from 'node:crypto';
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';
import { DOUBLE, LIST, BIGINT, listValue } from '@duckdb/node-api';
import { vs } from './appendSpanRow.js';
import type { LogRecordIn, MetricPointIn } from './signals.js';
import type { AttrValue, Attributes } from './types.js';

/**
 * Rows of `log_records` and `metric_points` (see `LOG_COLUMNS`, `METRIC_COLUMNS` in schema.ts),
 * with content-derived keys: a resent request (an exporter's retry, a write-ahead-log replay after
 * a crash) maps to the same keys, and rows already stored are skipped, as spans are.
 */
export interface LogRow {
  timeNs: bigint;
  observedNs: bigint;
  traceId: string | null;
  spanId: string | null;
  severityNumber: number | null;
  severityText: string | null;
  body: string | null;
  eventName: string | null;
  serviceName: string | null;
  scopeName: string | null;
  sessionId: string | null;
  recordId: string;
  attributesJson: string;
  resourceJson: string;
}

export interface MetricRow {
  p: MetricPointIn;
  serviceName: string | null;
  sessionId: string | null;
  seriesId: string;
  pointId: string;
  extraJson: string | null;
  attributesJson: string;
  resourceJson: string;
}

const MAX_NS = 0x7fff_ffff_ffff_ffffn;
const clampNs = (ns: bigint): bigint => (ns < 0n ? 0n : ns > MAX_NS ? MAX_NS : ns);

function text(v: AttrValue | undefined): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v.length > 0 ? v : null;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

/** The session a record belongs to, by the names coding agents and the GenAI conventions use. */
export function sessionOf(attributes: Attributes, resource?: Attributes): string | null {
  return (
    text(attributes['session.id']) ??
    text(attributes['gen_ai.conversation.id']) ??
    text(attributes['conversation.id']) ??
    (resource ? text(resource['session.id']) : null)
  );
}

const bigintSafe = (_k: string, x: unknown): unknown => (typeof x === 'bigint' ? x.toString() : x);
const json = (v: unknown): string => JSON.stringify(v, bigintSafe);

/** JSON with object keys sorted: the same attributes in another order name the same series. */
function stableJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return json(v);
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`)
    .join(',')}}`;
}

const hashOf = (...parts: string[]): string => createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);

/** Maps decoded log records to rows, one per distinct record. */
export function logRows(logs: readonly LogRecordIn[]): LogRow[] {
  const seen = new Set<string>();
  const out: LogRow[] = [];
  const resources = new Map<Attributes, string>();
  for (const l of logs) {
    let resourceJson = resources.get(l.resource);
    if (resourceJson === undefined) {
      resourceJson = json(l.resource);
      resources.set(l.resource, resourceJson);
    }
    const attributesJson = json(l.attributes);
    const body = l.body === null ? null : typeof l.body === 'string' ? l.body : json(l.body);
    const timeNs = clampNs(l.timeNs);
    // Not the observed time: an agent that sends the same event again (a restart, a retry through
    // its SDK) stamps a new one, and the record is still the same.
    const recordId = hashOf(
      String(timeNs),
      l.traceId ?? '',
      l.spanId ?? '',
      String(l.severityNumber ?? ''),
      l.severityText ?? '',
      body ?? '',
      l.eventName ?? '',
      l.scopeName ?? '',
      attributesJson,
      resourceJson,
    );
    if (seen.has(recordId)) continue;
    seen.add(recordId);
    out.push({
      timeNs,
      observedNs: clampNs(l.observedNs),
      traceId: l.traceId,
      spanId: l.spanId,
      severityNumber: l.severityNumber,
      severityText: l.severityText,
      body,
      eventName: l.eventName,
      serviceName: text(l.resource['service.name']),
      scopeName: l.scopeName,
      sessionId: sessionOf(l.attributes, l.resource),
      recordId,
      attributesJson,
      resourceJson,
    });
  }
  return out;
}

/** Maps decoded metric points to rows, one per distinct point. */
export function metricRows(points: readonly MetricPointIn[]): MetricRow[] {
  const seen = new Set<string>();
  const out: MetricRow[] = [];
  const resources = new Map<Attributes, [string, string]>();
  for (const p of points) {
    let res = resources.get(p.resource);
    if (res === undefined) {
      res = [json(p.resource), stableJson(p.resource)];
      resources.set(p.resource, res);
    }
    const seriesId = hashOf(p.name, p.unit ?? '', p.kind, p.temporality ?? '', p.scopeName ?? '', stableJson(p.attributes), res[1]);
    const pointId = hashOf(seriesId, String(p.startNs), String(p.timeNs));
    if (seen.has(pointId)) continue;
    seen.add(pointId);
    out.push({
      p,
      serviceName: text(p.resource['service.name']),
      sessionId: sessionOf(p.attributes, p.resource),
      seriesId,
      pointId,
      extraJson: p.extra === null ? null : json(p.extra),
      attributesJson: json(p.attributes),
      resourceJson: res[0],
    });
  }
  return out;
}

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
 * written by `write`; returns how many. Rows of one batch span [lo, hi] in `time_ns`, which bounds the probe.
 */
async function appendFreshRows<R>(
  conn: DuckDBConnection,
  table: string,
  keyColumn: string,
  rows: readonly R[],
  keyOf: (r: R) => string,
  timeOf: (r: R) => bigint,
  write: (ap: DuckDBAppender, r: R) => void,
): Promise<number> {
  if (rows.length === 0) return 0;
  const { lo, hi } = range(rows.map(timeOf));
  const have = await existing(conn, table, keyColumn, rows.map(keyOf), lo, hi);
  const fresh = have.size === 0 ? rows : rows.filter((r) => !have.has(keyOf(r)));
  if (fresh.length === 0) return 0;
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
  return fresh.length;
}

/** Appends the log rows not stored yet (inside the caller's transaction); returns how many. */
export function appendFreshLogs(conn: DuckDBConnection, rows: readonly LogRow[]): Promise<number> {
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
export function appendFreshPoints(conn: DuckDBConnection, rows: readonly MetricRow[]): Promise<number> {
  return appendFreshRows(conn, 'metric_points', 'point_id', rows, (r) => r.pointId, (r) => r.p.timeNs, (ap, r) => {
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
  });
}
