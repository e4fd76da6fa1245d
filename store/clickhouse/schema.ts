import { ROLLUP_DIMENSIONS } from '../schema.js';
import { promotedColumns, sketchBucketSql } from './promote.js';
import { signalSchema } from './signalTables.js';

/** Bumped when the ClickHouse objects below change; recorded in `schema_version`. */
export const CLICKHOUSE_SCHEMA_VERSION = 3;
/** What the current version holds, as recorded in `schema_version`. */
export const CLICKHOUSE_SCHEMA_DESCRIPTION = 'otel_traces, spans view, rollup materialized views, learning and alert tables, otel_logs and otel_metrics_* with their views, agent paths kept from imports';

export interface ClickHouseSchemaOptions {
  /** Raw spans, log records and metric points kept this many days (TTL on otel_traces, otel_logs, otel_metrics_*; default 30, 0 = forever). */
  ttlDays?: number;
  /** Rollups kept this many days (default 400, 0 = forever): dashboards outlive raw spans. */
  rollupTtlDays?: number;
  /** Table the collector exporter writes (default `otel_traces`, the exporter's default). */
  tracesTable?: string;
}

const ttl = (expr: string, days: number): string => (days > 0 ? `TTL ${expr} + toIntervalDay(${days})` : '');

/**
 * `otel_traces` exactly as the OpenTelemetry Collector's ClickHouse exporter creates it
 * (internal/sql_templates/traces_table.sql), so either ingest path writes the same rows and the
 * exporter's `create_schema: true` finds the table already there.
 */
export function otelTracesDdl(table = 'otel_traces', ttlDays = 30): string {
  return `CREATE TABLE IF NOT EXISTS ${table} (
    Timestamp DateTime64(9) CODEC(Delta, ZSTD(1)),
    TraceId String CODEC(ZSTD(1)),
    SpanId String CODEC(ZSTD(1)),
    ParentSpanId String CODEC(ZSTD(1)),
    TraceState String CODEC(ZSTD(1)),
    SpanName LowCardinality(String) CODEC(ZSTD(1)),
    SpanKind LowCardinality(String) CODEC(ZSTD(1)),
    ServiceName LowCardinality(String) CODEC(ZSTD(1)),
    ResourceAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    ScopeName String CODEC(ZSTD(1)),
    ScopeVersion String CODEC(ZSTD(1)),
    SpanAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    Duration UInt64 CODEC(ZSTD(1)),
    StatusCode LowCardinality(String) CODEC(ZSTD(1)),
    StatusMessage String CODEC(ZSTD(1)),
    Events Nested (
        Timestamp DateTime64(9),
        Name LowCardinality(String),
        Attributes Map(LowCardinality(String), String)
    ) CODEC(ZSTD(1)),
    Links Nested (
        TraceId String,
        SpanId String,
        TraceState String,
        Attributes Map(LowCardinality(String), String)
    ) CODEC(ZSTD(1)),
    INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_span_attr_key mapKeys(SpanAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_span_attr_value mapValues(SpanAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_duration Duration TYPE minmax GRANULARITY 1
) ENGINE = MergeTree
PARTITION BY toDate(Timestamp)
ORDER BY (ServiceName, SpanName, toDateTime(Timestamp))
${ttl('toDateTime(Timestamp)', ttlDays)}
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1`;
}

const DIM = 'LowCardinality(Nullable(String))';
const dims = ROLLUP_DIMENSIONS.map((d) => `${d} ${DIM}`).join(', ');
const dimList = ROLLUP_DIMENSIONS.join(', ');

/**
 * Promoted columns stored on otel_traces (`ap_<name>`) and read columnar, instead of map lookups
 * on every query. They are DEFAULT columns: the OpenTelemetry Collector exporter names its insert
 * columns, so its rows get the SQL expression of promote.ts (GenAI names); the agentpulse collector
 * supplies the values its normalizer computed (store/normalize.ts: the span dialects, Claude
 * Code's `success`), so a span promotes alike on DuckDB and ClickHouse. (Schema version 1 had them
 * MATERIALIZED, which refuses inserted values; the MODIFY below turns those into DEFAULT.)
 * The rest are cheap renames or conversions computed by the view.
 */
export const MATERIALIZED_COLUMNS: Record<string, string> = {
  status_code: 'LowCardinality(String)',
  operation: 'LowCardinality(Nullable(String))',
  agent_name: 'LowCardinality(Nullable(String))',
  provider: 'LowCardinality(Nullable(String))',
  model: 'LowCardinality(Nullable(String))',
  tool_name: 'LowCardinality(Nullable(String))',
  task_id: 'Nullable(String)',
  task_type: 'LowCardinality(Nullable(String))',
  team_id: 'Nullable(String)',
  team_signature: 'LowCardinality(Nullable(String))',
  error_type: 'LowCardinality(Nullable(String))',
  input_tokens: 'Nullable(Int64)',
  output_tokens: 'Nullable(Int64)',
  cost_usd: 'Nullable(Float64)',
  context_size: 'Nullable(Int64)',
  queue_depth: 'Nullable(Int64)',
  recovery_strategy: 'LowCardinality(Nullable(String))',
  recovery_outcome: 'LowCardinality(Nullable(String))',
  session_id: 'Nullable(String)',
  call_id: 'Nullable(String)',
  agent_path: 'Nullable(String)',
};

/**
 * ALTERs adding the promoted columns (idempotent; also fine on a table the exporter created), then
 * making them DEFAULT where an older schema made them MATERIALIZED (metadata only: same type).
 */
function materializedColumnsDdl(table: string): string[] {
  const cols = promotedColumns().filter(([n]) => n in MATERIALIZED_COLUMNS);
  return [
    ...cols.map(([n, e]) => `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ap_${n} ${MATERIALIZED_COLUMNS[n]} DEFAULT ${e}`),
    `ALTER TABLE ${table} ${cols.map(([n, e]) => `MODIFY COLUMN ap_${n} ${MATERIALIZED_COLUMNS[n]} DEFAULT ${e}`).join(',\n  ')}`,
  ];
}

/** SELECT list of the promoted columns (the body of the `spans` view and the rollup views' source). */
function promotedSelect(table: string, only?: readonly string[]): string {
  const cols = promotedColumns().filter(([n]) => !only || only.includes(n));
  const expr = (n: string, e: string): string => (n in MATERIALIZED_COLUMNS ? `ap_${n}` : e);
  return `SELECT ${cols.map(([n, e]) => `${expr(n, e)} AS ${n}`).join(',\n  ')}${only ? '' : ',\n  SpanAttributes AS span_attributes'}\nFROM ${table}`;
}

const ROLLUP_SOURCE_COLUMNS = ['start_ns', 'duration_ns', 'status_code', ...ROLLUP_DIMENSIONS.filter((d) => d !== 'status_code'), 'input_tokens', 'output_tokens', 'cost_usd'];
const MINUTE = `fromUnixTimestamp64Milli(intDiv(start_ns, 60000000000) * 60000, 'UTC')`;

/**
 * Every statement of the ClickHouse schema, idempotent (IF NOT EXISTS), in order:
 * otel_traces, the rollup tables and their materialized views, the `spans` and `traces` views,
 * and the learning / alert tables the analyzer's named queries read.
 */
export function clickhouseSchema(o: ClickHouseSchemaOptions = {}): string[] {
  const t = o.tracesTable ?? 'otel_traces';
  const rollupTtl = ttl('minute', o.rollupTtlDays ?? 400);
  return [
    otelTracesDdl(t, o.ttlDays ?? 30),
    ...materializedColumnsDdl(t),
    ...signalSchema(o.ttlDays ?? 30),
    // Rollups: partial aggregates merged in the background; readers still sum(), as on DuckDB.
    `CREATE TABLE IF NOT EXISTS rollup_minute (minute DateTime64(3, 'UTC'), ${dims},
      span_count SimpleAggregateFunction(sum, UInt64), error_count SimpleAggregateFunction(sum, UInt64),
      duration_sum_ns SimpleAggregateFunction(sum, Float64), duration_max_ns SimpleAggregateFunction(max, Int64),
      input_tokens SimpleAggregateFunction(sum, Int64), output_tokens SimpleAggregateFunction(sum, Int64),
      cost_usd SimpleAggregateFunction(sum, Float64))
    ENGINE = AggregatingMergeTree PARTITION BY toYYYYMM(minute) ORDER BY (minute, ${dimList}) ${rollupTtl}
    SETTINGS allow_nullable_key = 1`,
    `CREATE TABLE IF NOT EXISTS rollup_sketch (minute DateTime64(3, 'UTC'), ${dims}, bucket Int16, n SimpleAggregateFunction(sum, UInt64))
    ENGINE = AggregatingMergeTree PARTITION BY toYYYYMM(minute) ORDER BY (minute, ${dimList}, bucket) ${rollupTtl}
    SETTINGS allow_nullable_key = 1`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS rollup_minute_mv TO rollup_minute AS
    SELECT ${MINUTE} AS minute, ${dimList},
      count() AS span_count, countIf(status_code = 'ERROR') AS error_count,
      sum(toFloat64(duration_ns)) AS duration_sum_ns, max(duration_ns) AS duration_max_ns,
      sum(coalesce(input_tokens, 0)) AS input_tokens, sum(coalesce(output_tokens, 0)) AS output_tokens,
      sum(coalesce(cost_usd, 0)) AS cost_usd
    FROM (${promotedSelect(t, ROLLUP_SOURCE_COLUMNS)})
    GROUP BY minute, ${dimList}`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS rollup_sketch_mv TO rollup_sketch AS
    SELECT ${MINUTE} AS minute, ${dimList}, ${sketchBucketSql('duration_ns')} AS bucket, count() AS n
    FROM (${promotedSelect(t, ROLLUP_SOURCE_COLUMNS)})
    GROUP BY minute, ${dimList}, bucket`,
    `CREATE VIEW IF NOT EXISTS spans AS\n${promotedSelect(t)}`,
    `CREATE VIEW IF NOT EXISTS traces AS SELECT trace_id, min(start_ns) AS start_ns, max(end_ns) - min(start_ns) AS duration_ns,
      count() AS span_count, countIf(status_code = 'ERROR') AS error_count, any(service_name) AS service_name,
      argMin(name, start_ns) AS root_name FROM spans GROUP BY trace_id`,
    // Learning and alert state: the same tables as on DuckDB (store/schema.ts), so named queries read them.
    `CREATE TABLE IF NOT EXISTS schema_version (version UInt32, description String, applied_at DateTime64(6, 'UTC') DEFAULT now64(6))
    ENGINE = MergeTree ORDER BY version`,
    `CREATE TABLE IF NOT EXISTS patterns (id String, kind String, task_type Nullable(String), signature String,
      support Nullable(Int64), successes Nullable(Int64), success_rate Nullable(Float64), ci_low Nullable(Float64), ci_high Nullable(Float64),
      lift Nullable(Float64), confidence Nullable(Float64), status String DEFAULT 'candidate', evidence Nullable(String),
      first_seen Nullable(DateTime64(6, 'UTC')), last_seen Nullable(DateTime64(6, 'UTC')), updated_at DateTime64(6, 'UTC') DEFAULT now64(6))
    ENGINE = ReplacingMergeTree(updated_at) ORDER BY id`,
    `CREATE TABLE IF NOT EXISTS pattern_outcomes (pattern_id String, run_id Nullable(String), window_from_ns Nullable(Int64), window_to_ns Nullable(Int64),
      support Nullable(Int64), successes Nullable(Int64), recorded_at DateTime64(6, 'UTC') DEFAULT now64(6))
    ENGINE = MergeTree ORDER BY (pattern_id, recorded_at)`,
    `CREATE TABLE IF NOT EXISTS recommendations (id String, run_id Nullable(String), kind Nullable(String), scope Nullable(String), action Nullable(String),
      rationale Nullable(String), expected_effect Nullable(String), confidence Nullable(Float64), bounded_by Nullable(String),
      status String DEFAULT 'open', created_at DateTime64(6, 'UTC') DEFAULT now64(6))
    ENGINE = ReplacingMergeTree(created_at) ORDER BY id`,
    `CREATE TABLE IF NOT EXISTS promotions (id String, pattern_id Nullable(String), task_type Nullable(String), action String,
      previous_default Nullable(String), new_default Nullable(String), traffic_share Nullable(Float64), bounded_by Nullable(String),
      actor String, reason Nullable(String), created_at DateTime64(6, 'UTC') DEFAULT now64(6))
    ENGINE = MergeTree ORDER BY (created_at, id)`,
    `CREATE TABLE IF NOT EXISTS feedback (trace_id String, span_id Nullable(String), score Nullable(Float64), label Nullable(String),
      source Nullable(String), comment Nullable(String), created_at DateTime64(6, 'UTC') DEFAULT now64(6))
    ENGINE = MergeTree ORDER BY (trace_id, created_at)`,
    `CREATE TABLE IF NOT EXISTS experiments (name String, variants String, weights Nullable(String), metric Nullable(String),
      min_sample Nullable(Int64), status String DEFAULT 'running', created_at DateTime64(6, 'UTC') DEFAULT now64(6))
    ENGINE = ReplacingMergeTree(created_at) ORDER BY name`,
    `CREATE TABLE IF NOT EXISTS experiment_assignments (experiment String, unit_id String, variant String, assigned_at DateTime64(6, 'UTC') DEFAULT now64(6))
    ENGINE = ReplacingMergeTree(assigned_at) ORDER BY (experiment, unit_id)`,
    `CREATE TABLE IF NOT EXISTS alert_state (fingerprint String, rule String, severity Nullable(String), state String, scope Nullable(String),
      value Nullable(Float64), threshold Nullable(Float64), since Nullable(DateTime64(6, 'UTC')), updated_at DateTime64(6, 'UTC') DEFAULT now64(6),
      last_notified_at Nullable(DateTime64(6, 'UTC')))
    ENGINE = ReplacingMergeTree(updated_at) ORDER BY fingerprint`,
    `CREATE TABLE IF NOT EXISTS alert_events (fingerprint String, rule Nullable(String), severity Nullable(String), from_state Nullable(String),
      to_state Nullable(String), value Nullable(Float64), threshold Nullable(Float64), scope Nullable(String), occurred_at DateTime64(6, 'UTC') DEFAULT now64(6))
    ENGINE = MergeTree ORDER BY (occurred_at, fingerprint)`,
    `CREATE TABLE IF NOT EXISTS analyzer_runs (id String, started_at Nullable(DateTime64(6, 'UTC')), finished_at Nullable(DateTime64(6, 'UTC')),
      window_from_ns Nullable(Int64), window_to_ns Nullable(Int64), spans_analyzed Nullable(Int64), status Nullable(String), report Nullable(String))
    ENGINE = ReplacingMergeTree ORDER BY id`,
    `CREATE TABLE IF NOT EXISTS kv (namespace String, key String, value Nullable(String), updated_at DateTime64(6, 'UTC') DEFAULT now64(6))
    ENGINE = ReplacingMergeTree(updated_at) ORDER BY (namespace, key)`,
  ];
}

/** The schema as one SQL file (deploy/clickhouse/schema.sql is this text; a test keeps them equal). */
export function clickhouseSchemaFile(o: ClickHouseSchemaOptions = {}): string {
  const head = `-- agentpulse on ClickHouse: generated by store/clickhouse/schema.ts (clickhouseSchemaFile); do not edit by hand.
-- otel_traces, otel_logs and otel_metrics_* are the OpenTelemetry Collector ClickHouse exporter's layouts; everything else derives from them.
-- Retention: raw spans ${o.ttlDays ?? 30} days, rollups ${o.rollupTtlDays ?? 400} days (TTL, whole daily/monthly parts dropped).\n\n`;
  return head + clickhouseSchema(o).map((s) => s.replace(/\n\s*\n/g, '\n') + ';\n').join('\n') +
    `\nINSERT INTO schema_version (version, description) VALUES (${CLICKHOUSE_SCHEMA_VERSION}, '${CLICKHOUSE_SCHEMA_DESCRIPTION}');\n`;
}
