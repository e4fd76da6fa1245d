import { logRows, metricRows, type LogRow, type MetricRow } from '../signalRows.js';
import type { MetricKind, SignalRecords } from '../signals.js';
import type { ClickHouseExecutor } from './Executor.js';
import { attrMap } from './otelRow.js';

/**
 * OTLP logs and metrics on ClickHouse, in the OpenTelemetry Collector ClickHouse exporter's tables
 * (internal/sqltemplates/logs_table.sql, metrics_*_table.sql): `otel_logs` and one
 * `otel_metrics_<kind>` table per point type, so the exporter and the agentpulse collector can both
 * write them. Two additions, both with defaults the exporter's named-column inserts leave alone:
 * `ap_record_id` / `ap_point_id` / `ap_series_id`, the content keys DuckDB keeps in
 * `log_records` / `metric_points` (store/signalRows.ts), so a resent request is skipped here too.
 * Views `log_records`, `metric_points` and `metric_deltas` give the DuckDB columns, so the named
 * queries over them read both backends.
 */

const ttl = (expr: string, days: number): string => (days > 0 ? `TTL ${expr} + toIntervalDay(${days})` : '');

const MAP = 'Map(LowCardinality(String), String) CODEC(ZSTD(1))';

const ATTR_INDEXES = `INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_scope_attr_key mapKeys(ScopeAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_scope_attr_value mapValues(ScopeAttributes) TYPE bloom_filter(0.01) GRANULARITY 1`;

/** `otel_logs` as the exporter creates it. */
export function otelLogsDdl(ttlDays: number): string {
  return `CREATE TABLE IF NOT EXISTS otel_logs (
    Timestamp DateTime64(9) CODEC(Delta(8), ZSTD(1)),
    TimestampTime DateTime DEFAULT toDateTime(Timestamp),
    TraceId String CODEC(ZSTD(1)),
    SpanId String CODEC(ZSTD(1)),
    TraceFlags UInt8,
    SeverityText LowCardinality(String) CODEC(ZSTD(1)),
    SeverityNumber UInt8,
    ServiceName LowCardinality(String) CODEC(ZSTD(1)),
    Body String CODEC(ZSTD(1)),
    ResourceSchemaUrl LowCardinality(String) CODEC(ZSTD(1)),
    ResourceAttributes ${MAP},
    ScopeSchemaUrl LowCardinality(String) CODEC(ZSTD(1)),
    ScopeName String CODEC(ZSTD(1)),
    ScopeVersion LowCardinality(String) CODEC(ZSTD(1)),
    ScopeAttributes ${MAP},
    LogAttributes ${MAP},
    EventName String CODEC(ZSTD(1)),
    INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1,
    ${ATTR_INDEXES},
    INDEX idx_log_attr_key mapKeys(LogAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_log_attr_value mapValues(LogAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_body Body TYPE tokenbf_v1(32768, 3, 0) GRANULARITY 8
) ENGINE = MergeTree
PARTITION BY toDate(TimestampTime)
PRIMARY KEY (ServiceName, TimestampTime)
ORDER BY (ServiceName, TimestampTime, Timestamp)
${ttl('TimestampTime', ttlDays)}
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1`;
}

/** The exporter's table for each point type. */
export const METRIC_TABLES: Record<MetricKind, string> = {
  gauge: 'otel_metrics_gauge',
  sum: 'otel_metrics_sum',
  histogram: 'otel_metrics_histogram',
  exponential_histogram: 'otel_metrics_exponential_histogram',
  summary: 'otel_metrics_summary',
};

const EXEMPLARS = `Exemplars Nested (
        FilteredAttributes Map(LowCardinality(String), String),
        TimeUnix DateTime64(9),
        Value Float64,
        SpanId String,
        TraceId String
    ) CODEC(ZSTD(1))`;

/** Columns of each point type after the shared head (the exporter's order). */
const KIND_COLUMNS: Record<MetricKind, string> = {
  gauge: `Value Float64 CODEC(ZSTD(1)), Flags UInt32 CODEC(ZSTD(1)), ${EXEMPLARS}`,
  sum: `Value Float64 CODEC(ZSTD(1)), Flags UInt32 CODEC(ZSTD(1)), ${EXEMPLARS},
    AggregationTemporality Int32 CODEC(ZSTD(1)), IsMonotonic Boolean CODEC(Delta, ZSTD(1))`,
  histogram: `Count UInt64 CODEC(Delta, ZSTD(1)), Sum Float64 CODEC(ZSTD(1)), BucketCounts Array(UInt64) CODEC(ZSTD(1)),
    ExplicitBounds Array(Float64) CODEC(ZSTD(1)), ${EXEMPLARS}, Flags UInt32 CODEC(ZSTD(1)), Min Float64 CODEC(ZSTD(1)),
    Max Float64 CODEC(ZSTD(1)), AggregationTemporality Int32 CODEC(ZSTD(1))`,
  exponential_histogram: `Count UInt64 CODEC(Delta, ZSTD(1)), Sum Float64 CODEC(ZSTD(1)), Scale Int32 CODEC(ZSTD(1)),
    ZeroCount UInt64 CODEC(ZSTD(1)), PositiveOffset Int32 CODEC(ZSTD(1)), PositiveBucketCounts Array(UInt64) CODEC(ZSTD(1)),
    NegativeOffset Int32 CODEC(ZSTD(1)), NegativeBucketCounts Array(UInt64) CODEC(ZSTD(1)), ${EXEMPLARS},
    Flags UInt32 CODEC(ZSTD(1)), Min Float64 CODEC(ZSTD(1)), Max Float64 CODEC(ZSTD(1)), AggregationTemporality Int32 CODEC(ZSTD(1))`,
  summary: `Count UInt64 CODEC(Delta, ZSTD(1)), Sum Float64 CODEC(ZSTD(1)),
    ValueAtQuantiles Nested(Quantile Float64, Value Float64) CODEC(ZSTD(1)), Flags UInt32 CODEC(ZSTD(1))`,
};

/** One `otel_metrics_<kind>` table as the exporter creates it. */
export function otelMetricsDdl(kind: MetricKind, ttlDays: number): string {
  return `CREATE TABLE IF NOT EXISTS ${METRIC_TABLES[kind]} (
    ResourceAttributes ${MAP},
    ResourceSchemaUrl String CODEC(ZSTD(1)),
    ScopeName String CODEC(ZSTD(1)),
    ScopeVersion String CODEC(ZSTD(1)),
    ScopeAttributes ${MAP},
    ScopeDroppedAttrCount UInt32 CODEC(ZSTD(1)),
    ScopeSchemaUrl String CODEC(ZSTD(1)),
    ServiceName LowCardinality(String) CODEC(ZSTD(1)),
    MetricName String CODEC(ZSTD(1)),
    MetricDescription String CODEC(ZSTD(1)),
    MetricUnit String CODEC(ZSTD(1)),
    Attributes ${MAP},
    StartTimeUnix DateTime64(9) CODEC(Delta, ZSTD(1)),
    TimeUnix DateTime64(9) CODEC(Delta, ZSTD(1)),
    ${KIND_COLUMNS[kind]},
    ${ATTR_INDEXES},
    INDEX idx_attr_key mapKeys(Attributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_attr_value mapValues(Attributes) TYPE bloom_filter(0.01) GRANULARITY 1
) ENGINE = MergeTree
${ttl('toDateTime(TimeUnix)', ttlDays)}
PARTITION BY toDate(TimeUnix)
ORDER BY (ServiceName, MetricName, Attributes, toUnixTimestamp64Nano(TimeUnix))
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1`;
}

const KINDS = Object.keys(METRIC_TABLES) as MetricKind[];

/** `session.id`, `gen_ai.conversation.id`, `conversation.id`, then the resource's `session.id` (store/signalRows.ts sessionOf). */
const sessionSql = (attrs: string): string =>
  `coalesce(nullIf(${attrs}['session.id'], ''), nullIf(${attrs}['gen_ai.conversation.id'], ''), nullIf(${attrs}['conversation.id'], ''), nullIf(ResourceAttributes['session.id'], ''))`;

/** A key for rows another writer (the exporter) stored without ours. */
const hashKey = (...cols: string[]): string => `lower(hex(cityHash64(${cols.join(', ')})))`;

const TEMPORALITY = `multiIf(AggregationTemporality = 1, 'delta', AggregationTemporality = 2, 'cumulative', NULL)`;

/** The `metric_points` columns from one exporter table. */
function metricPointsSelect(kind: MetricKind): string {
  // Nested columns (Exemplars, ValueAtQuantiles) have a Value too: look at the table's own columns only.
  const own = KIND_COLUMNS[kind].replace(EXEMPLARS, '').replace(/ValueAtQuantiles Nested\(Quantile Float64, Value Float64\)/, '');
  const has = (c: string): boolean => new RegExp(`(^|[\\s,])${c} `).test(own);
  const num = (c: string): string => (has(c) ? c : 'CAST(NULL AS Nullable(Float64))');
  const series = hashKey('MetricName', 'MetricUnit', `'${kind}'`, 'ScopeName', 'Attributes', 'ResourceAttributes');
  const extra =
    kind === 'exponential_histogram'
      ? `concat('{"scale":', toString(Scale), ',"zero_count":', toString(ZeroCount), ',"positive":{"offset":', toString(PositiveOffset),
          ',"bucket_counts":', toJSONString(PositiveBucketCounts), '},"negative":{"offset":', toString(NegativeOffset),
          ',"bucket_counts":', toJSONString(NegativeBucketCounts), '}}')`
      : kind === 'summary'
        ? `concat('{"quantiles":[', arrayStringConcat(arrayMap((q, v) -> concat('{"quantile":', toString(q), ',"value":', toString(v), '}'),
            \`ValueAtQuantiles.Quantile\`, \`ValueAtQuantiles.Value\`), ','), ']}')`
        : 'CAST(NULL AS Nullable(String))';
  return `SELECT MetricName AS name, nullIf(MetricDescription, '') AS description, nullIf(MetricUnit, '') AS unit, '${kind}' AS kind,
    ${has('AggregationTemporality') ? TEMPORALITY : 'CAST(NULL AS Nullable(String))'} AS temporality,
    ${has('IsMonotonic') ? 'CAST(IsMonotonic AS Nullable(Bool))' : 'CAST(NULL AS Nullable(Bool))'} AS monotonic,
    toUnixTimestamp64Nano(StartTimeUnix) AS start_ns, toUnixTimestamp64Nano(TimeUnix) AS time_ns,
    CAST(${num('Value')} AS Nullable(Float64)) AS value,
    CAST(${has('Count') ? 'Count' : 'NULL'} AS Nullable(Int64)) AS count,
    CAST(${num('Sum')} AS Nullable(Float64)) AS sum,
    CAST(${num('Min')} AS Nullable(Float64)) AS min,
    CAST(${num('Max')} AS Nullable(Float64)) AS max,
    ${kind === 'histogram' ? 'ExplicitBounds' : 'CAST([] AS Array(Float64))'} AS bounds,
    ${kind === 'histogram' ? 'CAST(BucketCounts AS Array(Int64))' : 'CAST([] AS Array(Int64))'} AS bucket_counts,
    nullIf(toString(ServiceName), '') AS service_name, nullIf(ScopeName, '') AS scope_name,
    ${sessionSql('Attributes')} AS session_id,
    if(ap_series_id = '', ${series}, ap_series_id) AS series_id,
    if(ap_point_id = '', ${hashKey(series, 'StartTimeUnix', 'TimeUnix')}, ap_point_id) AS point_id,
    ${extra} AS extra,
    toJSONString(Attributes) AS attributes, toJSONString(ResourceAttributes) AS resource_attributes
  FROM ${METRIC_TABLES[kind]}`;
}

/** Every statement for logs and metrics: the exporter's tables, our key columns, the views. */
export function signalSchema(ttlDays: number): string[] {
  return [
    otelLogsDdl(ttlDays),
    `ALTER TABLE otel_logs ADD COLUMN IF NOT EXISTS ap_record_id String DEFAULT ''`,
    ...KINDS.flatMap((k) => [
      otelMetricsDdl(k, ttlDays),
      `ALTER TABLE ${METRIC_TABLES[k]} ADD COLUMN IF NOT EXISTS ap_series_id String DEFAULT ''`,
      `ALTER TABLE ${METRIC_TABLES[k]} ADD COLUMN IF NOT EXISTS ap_point_id String DEFAULT ''`,
    ]),
    `CREATE VIEW IF NOT EXISTS log_records AS
    SELECT toUnixTimestamp64Nano(Timestamp) AS time_ns, CAST(NULL AS Nullable(Int64)) AS observed_ns,
      nullIf(TraceId, '') AS trace_id, nullIf(SpanId, '') AS span_id,
      CAST(nullIf(SeverityNumber, 0) AS Nullable(Int32)) AS severity_number, nullIf(toString(SeverityText), '') AS severity_text,
      nullIf(Body, '') AS body, coalesce(nullIf(EventName, ''), nullIf(LogAttributes['event.name'], '')) AS event_name,
      nullIf(toString(ServiceName), '') AS service_name, nullIf(ScopeName, '') AS scope_name,
      ${sessionSql('LogAttributes')} AS session_id,
      if(ap_record_id = '', ${hashKey('Timestamp', 'TraceId', 'SpanId', 'Body', 'EventName', 'LogAttributes', 'ResourceAttributes')}, ap_record_id) AS record_id,
      toJSONString(LogAttributes) AS attributes, toJSONString(ResourceAttributes) AS resource_attributes
    FROM otel_logs`,
    `CREATE VIEW IF NOT EXISTS metric_points AS\n${KINDS.map(metricPointsSelect).join('\nUNION ALL\n')}`,
    // As DuckDB's metric_deltas: a cumulative series restarts whenever its start time changes.
    `CREATE VIEW IF NOT EXISTS metric_deltas AS SELECT *,
      multiIf(kind = 'gauge', NULL, temporality = 'cumulative', value - lagInFrame(coalesce(value, 0), 1, 0) OVER w, value) AS delta_value,
      if(temporality = 'cumulative', count - lagInFrame(coalesce(count, 0), 1, 0) OVER w, count) AS delta_count,
      if(temporality = 'cumulative', sum - lagInFrame(coalesce(sum, 0), 1, 0) OVER w, sum) AS delta_sum
    FROM metric_points
    WINDOW w AS (PARTITION BY series_id, start_ns ORDER BY time_ns, point_id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)`,
  ];
}

// A JSON number: ClickHouse reads a one-digit text as neither a date nor a time.
const BLANK_NS = 0;

function logRow(r: LogRow): Record<string, unknown> {
  const attrs = JSON.parse(r.attributesJson) as Record<string, never>;
  const resource = JSON.parse(r.resourceJson) as Record<string, never>;
  return {
    Timestamp: r.timeNs.toString(),
    TraceId: r.traceId ?? '',
    SpanId: r.spanId ?? '',
    TraceFlags: 0,
    SeverityText: r.severityText ?? '',
    SeverityNumber: r.severityNumber ?? 0,
    ServiceName: r.serviceName ?? '',
    Body: r.body ?? '',
    ResourceAttributes: attrMap(resource),
    ScopeName: r.scopeName ?? '',
    LogAttributes: attrMap(attrs),
    EventName: r.eventName ?? '',
    ap_record_id: r.recordId,
  };
}

const f = (v: number | null): number => (v === null || !Number.isFinite(v) ? 0 : v);
const TEMPORALITY_CODE = { delta: 1, cumulative: 2 } as const;

interface Buckets {
  offset?: number;
  bucket_counts?: number[];
}

function metricRow(r: MetricRow): Record<string, unknown> {
  const p = r.p;
  const row: Record<string, unknown> = {
    ResourceAttributes: attrMap(p.resource),
    ScopeName: p.scopeName ?? '',
    ScopeVersion: p.scopeVersion ?? '',
    ServiceName: r.serviceName ?? '',
    MetricName: p.name,
    MetricDescription: p.description ?? '',
    MetricUnit: p.unit ?? '',
    Attributes: attrMap(p.attributes),
    StartTimeUnix: p.startNs > 0n ? p.startNs.toString() : BLANK_NS,
    TimeUnix: p.timeNs.toString(),
    ap_series_id: r.seriesId,
    ap_point_id: r.pointId,
  };
  const temporality = p.temporality === null ? 0 : TEMPORALITY_CODE[p.temporality];
  const extra = (p.extra ?? {}) as Record<string, unknown>;
  switch (p.kind) {
    case 'gauge':
      row.Value = f(p.value);
      break;
    case 'sum':
      Object.assign(row, { Value: f(p.value), AggregationTemporality: temporality, IsMonotonic: p.monotonic === true });
      break;
    case 'histogram':
      Object.assign(row, {
        Count: Math.trunc(f(p.count)), Sum: f(p.sum), Min: f(p.min), Max: f(p.max), AggregationTemporality: temporality,
        BucketCounts: (p.bucketCounts ?? []).map((c) => Math.trunc(c)), ExplicitBounds: p.bounds ?? [],
      });
      break;
    case 'exponential_histogram': {
      const pos = (extra.positive ?? {}) as Buckets;
      const neg = (extra.negative ?? {}) as Buckets;
      Object.assign(row, {
        Count: Math.trunc(f(p.count)), Sum: f(p.sum), Min: f(p.min), Max: f(p.max), AggregationTemporality: temporality,
        Scale: Number(extra.scale ?? 0), ZeroCount: Number(extra.zero_count ?? 0),
        PositiveOffset: pos.offset ?? 0, PositiveBucketCounts: pos.bucket_counts ?? [],
        NegativeOffset: neg.offset ?? 0, NegativeBucketCounts: neg.bucket_counts ?? [],
      });
      break;
    }
    case 'summary': {
      // Quantile values are numbers, or 'NaN'/'Infinity' text where JSON has no number for them.
      const qs = (Array.isArray(extra.quantiles) ? extra.quantiles : []) as { quantile: number | string; value: number | string }[];
      Object.assign(row, {
        Count: Math.trunc(f(p.count)), Sum: f(p.sum),
        'ValueAtQuantiles.Quantile': qs.map((q) => f(Number(q.quantile))), 'ValueAtQuantiles.Value': qs.map((q) => f(Number(q.value))),
      });
      break;
    }
  }
  return row;
}

const MIN_MAX = (times: bigint[]): { lo: string; hi: string } => {
  let lo = times[0]!;
  let hi = times[0]!;
  for (const t of times) {
    if (t < lo) lo = t;
    if (t > hi) hi = t;
  }
  return { lo: lo.toString(), hi: hi.toString() };
};

/** Inserts into `table` the rows whose key is not stored yet; returns how many. */
async function insertFresh<R>(
  ex: ClickHouseExecutor,
  table: string,
  timeColumn: string,
  keyColumn: string,
  rows: readonly R[],
  keyOf: (r: R) => string,
  timeOf: (r: R) => bigint,
  toRow: (r: R) => Record<string, unknown>,
): Promise<number> {
  if (rows.length === 0) return 0;
  const { lo, hi } = MIN_MAX(rows.map(timeOf));
  const stored = await ex.query(
    `SELECT ${keyColumn} AS k FROM ${table}
     WHERE ${timeColumn} >= fromUnixTimestamp64Nano({lo:Int64}) AND ${timeColumn} <= fromUnixTimestamp64Nano({hi:Int64})
       AND ${keyColumn} IN {keys:Array(String)}`,
    { lo, hi, keys: rows.map(keyOf) },
  );
  const have = new Set(stored.rows.map((r) => String(r.k)));
  const fresh = have.size === 0 ? rows : rows.filter((r) => !have.has(keyOf(r)));
  if (fresh.length > 0) await ex.insert(table, fresh.map(toRow));
  return fresh.length;
}

/**
 * Writes a request's log records and metric points, skipping those already stored (a resend, a
 * write-ahead-log replay): the same content keys as on DuckDB. Returns the rows written.
 */
export async function writeSignals(ex: ClickHouseExecutor, signals: SignalRecords): Promise<{ logs: number; points: number }> {
  const logs = await insertFresh(ex, 'otel_logs', 'Timestamp', 'ap_record_id', logRows(signals.logs), (r) => r.recordId, (r) => r.timeNs, logRow);
  let points = 0;
  const byKind = new Map<MetricKind, MetricRow[]>();
  for (const r of metricRows(signals.points)) {
    const list = byKind.get(r.p.kind);
    if (list) list.push(r);
    else byKind.set(r.p.kind, [r]);
  }
  for (const [kind, rows] of byKind) {
    points += await insertFresh(ex, METRIC_TABLES[kind], 'TimeUnix', 'ap_point_id', rows, (r) => r.pointId, (r) => r.p.timeNs, metricRow);
  }
  return { logs, points };
}
