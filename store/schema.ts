import type { DuckDBConnection } from '@duckdb/node-api';
import { ROLLUP_DIMENSIONS } from './rollupDimensions.js';
import { ROLLUP_LEVEL_STATEMENTS } from './rollupLevels.js';

/** The columns `spans` was created with (schema version 1); later versions add columns at the end. */
const SPAN_COLUMNS_V1 = [
  ['trace_id', 'VARCHAR NOT NULL'],
  ['span_id', 'VARCHAR NOT NULL'],
  ['parent_span_id', 'VARCHAR'],
  ['name', 'VARCHAR NOT NULL'],
  ['kind', 'VARCHAR'],
  ['start_ns', 'BIGINT NOT NULL'],
  ['end_ns', 'BIGINT NOT NULL'],
  ['duration_ns', 'BIGINT NOT NULL'],
  ['status_code', 'VARCHAR NOT NULL'],
  ['status_message', 'VARCHAR'],
  ['service_name', 'VARCHAR'],
  ['scope_name', 'VARCHAR'],
  ['operation', 'VARCHAR'],
  ['agent_name', 'VARCHAR'],
  ['provider', 'VARCHAR'],
  ['model', 'VARCHAR'],
  ['tool_name', 'VARCHAR'],
  ['task_id', 'VARCHAR'],
  ['task_type', 'VARCHAR'],
  ['team_id', 'VARCHAR'],
  ['team_signature', 'VARCHAR'],
  ['error_type', 'VARCHAR'],
  ['input_tokens', 'BIGINT'],
  ['output_tokens', 'BIGINT'],
  ['cost_usd', 'DOUBLE'],
  ['context_size', 'BIGINT'],
  ['queue_depth', 'BIGINT'],
  ['recovery_strategy', 'VARCHAR'],
  ['recovery_outcome', 'VARCHAR'],
  ['attributes', 'JSON'],
  ['resource_attributes', 'JSON'],
  ['events', 'JSON'],
  ['links', 'JSON'],
] as const;

/** Added by schema version 3: the conversation a span belongs to, and the model request or tool call it is. */
const SPAN_COLUMNS_V3 = [
  ['session_id', 'VARCHAR'],
  ['call_id', 'VARCHAR'],
] as const;

/** Added by schema version 4. */
const SPAN_COLUMNS_V4 = [['agent_path', 'VARCHAR']] as const;

/** Column order of `spans`; the writer appends in exactly this order. */
export const SPAN_COLUMNS = [...SPAN_COLUMNS_V1, ...SPAN_COLUMNS_V3, ...SPAN_COLUMNS_V4] as const;

/** Column order of `log_records` (OTLP logs; coding agents' events). */
export const LOG_COLUMNS = [
  ['time_ns', 'BIGINT NOT NULL'],
  ['observed_ns', 'BIGINT'],
  ['trace_id', 'VARCHAR'],
  ['span_id', 'VARCHAR'],
  ['severity_number', 'INTEGER'],
  ['severity_text', 'VARCHAR'],
  ['body', 'VARCHAR'],
  ['event_name', 'VARCHAR'],
  ['service_name', 'VARCHAR'],
  ['scope_name', 'VARCHAR'],
  ['session_id', 'VARCHAR'],
  ['record_id', 'VARCHAR NOT NULL'],
  ['attributes', 'JSON'],
  ['resource_attributes', 'JSON'],
] as const;

/** Column order of `metric_points` (OTLP metrics). */
export const METRIC_COLUMNS = [
  ['name', 'VARCHAR NOT NULL'],
  ['description', 'VARCHAR'],
  ['unit', 'VARCHAR'],
  ['kind', 'VARCHAR NOT NULL'],
  ['temporality', 'VARCHAR'],
  ['monotonic', 'BOOLEAN'],
  ['start_ns', 'BIGINT'],
  ['time_ns', 'BIGINT NOT NULL'],
  ['value', 'DOUBLE'],
  ['count', 'BIGINT'],
  ['sum', 'DOUBLE'],
  ['min', 'DOUBLE'],
  ['max', 'DOUBLE'],
  ['bounds', 'DOUBLE[]'],
  ['bucket_counts', 'BIGINT[]'],
  ['service_name', 'VARCHAR'],
  ['scope_name', 'VARCHAR'],
  ['session_id', 'VARCHAR'],
  ['series_id', 'VARCHAR NOT NULL'],
  ['point_id', 'VARCHAR NOT NULL'],
  ['extra', 'JSON'],
  ['attributes', 'JSON'],
  ['resource_attributes', 'JSON'],
] as const;

const cols = (list: readonly (readonly [string, string])[]): string => list.map(([n, t]) => `${n} ${t}`).join(', ');

export type SpanColumnName = (typeof SPAN_COLUMNS)[number][0];

export { ROLLUP_DIMENSIONS };

const rollupDims = ROLLUP_DIMENSIONS.map((d) => `${d} VARCHAR`).join(', ');

interface Migration {
  version: number;
  description: string;
  statements: string[];
}

/**
 * Forward-only migrations, applied in order on open by the writer.
 * Rollup tables are append-only partial aggregates: each write batch appends its own
 * partial rows and readers sum them, which is exactly how the sketch merges.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'spans, rollups, learning and alert tables',
    statements: [
      `CREATE TABLE spans (${cols(SPAN_COLUMNS_V1)})`,
      `CREATE TABLE rollup_minute (minute TIMESTAMP NOT NULL, ${rollupDims}, span_count BIGINT NOT NULL, error_count BIGINT NOT NULL,
        duration_sum_ns DOUBLE NOT NULL, duration_max_ns BIGINT NOT NULL, input_tokens BIGINT NOT NULL, output_tokens BIGINT NOT NULL, cost_usd DOUBLE NOT NULL)`,
      `CREATE TABLE rollup_sketch (minute TIMESTAMP NOT NULL, ${rollupDims}, bucket SMALLINT NOT NULL, n BIGINT NOT NULL)`,
      `CREATE TABLE patterns (id VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, task_type VARCHAR, signature VARCHAR NOT NULL,
        support BIGINT, successes BIGINT, success_rate DOUBLE, ci_low DOUBLE, ci_high DOUBLE, lift DOUBLE, confidence DOUBLE,
        status VARCHAR NOT NULL DEFAULT 'candidate', evidence JSON, first_seen TIMESTAMP, last_seen TIMESTAMP, updated_at TIMESTAMP)`,
      `CREATE TABLE pattern_outcomes (pattern_id VARCHAR NOT NULL, run_id VARCHAR, window_from_ns BIGINT, window_to_ns BIGINT,
        support BIGINT, successes BIGINT, recorded_at TIMESTAMP DEFAULT current_timestamp)`,
      `CREATE TABLE recommendations (id VARCHAR PRIMARY KEY, run_id VARCHAR, kind VARCHAR, scope JSON, action VARCHAR, rationale VARCHAR,
        expected_effect JSON, confidence DOUBLE, bounded_by VARCHAR, status VARCHAR DEFAULT 'open', created_at TIMESTAMP DEFAULT current_timestamp)`,
      `CREATE TABLE promotions (id VARCHAR PRIMARY KEY, pattern_id VARCHAR, task_type VARCHAR, action VARCHAR NOT NULL,
        previous_default VARCHAR, new_default VARCHAR, traffic_share DOUBLE, bounded_by VARCHAR, actor VARCHAR NOT NULL, reason VARCHAR,
        created_at TIMESTAMP DEFAULT current_timestamp)`,
      `CREATE TABLE feedback (trace_id VARCHAR NOT NULL, span_id VARCHAR, score DOUBLE, label VARCHAR, source VARCHAR, comment VARCHAR,
        created_at TIMESTAMP DEFAULT current_timestamp)`,
      `CREATE TABLE experiments (name VARCHAR PRIMARY KEY, variants JSON NOT NULL, weights JSON, metric VARCHAR, min_sample BIGINT,
        status VARCHAR DEFAULT 'running', created_at TIMESTAMP DEFAULT current_timestamp)`,
      `CREATE TABLE experiment_assignments (experiment VARCHAR NOT NULL, unit_id VARCHAR NOT NULL, variant VARCHAR NOT NULL,
        assigned_at TIMESTAMP DEFAULT current_timestamp)`,
      `CREATE TABLE alert_state (fingerprint VARCHAR PRIMARY KEY, rule VARCHAR NOT NULL, severity VARCHAR, state VARCHAR NOT NULL, scope JSON,
        value DOUBLE, threshold DOUBLE, since TIMESTAMP, updated_at TIMESTAMP, last_notified_at TIMESTAMP)`,
      `CREATE TABLE alert_events (fingerprint VARCHAR NOT NULL, rule VARCHAR, severity VARCHAR, from_state VARCHAR, to_state VARCHAR,
        value DOUBLE, threshold DOUBLE, scope JSON, occurred_at TIMESTAMP DEFAULT current_timestamp)`,
      `CREATE TABLE analyzer_runs (id VARCHAR PRIMARY KEY, started_at TIMESTAMP, finished_at TIMESTAMP, window_from_ns BIGINT,
        window_to_ns BIGINT, spans_analyzed BIGINT, status VARCHAR, report JSON)`,
      `CREATE TABLE kv (namespace VARCHAR NOT NULL, key VARCHAR NOT NULL, value JSON, updated_at TIMESTAMP DEFAULT current_timestamp,
        PRIMARY KEY (namespace, key))`,
      `CREATE VIEW traces AS SELECT trace_id, min(start_ns) AS start_ns, max(end_ns) - min(start_ns) AS duration_ns, count(*) AS span_count,
        count(*) FILTER (WHERE status_code = 'ERROR') AS error_count, any_value(service_name) AS service_name,
        arg_min(name, start_ns) AS root_name FROM spans GROUP BY trace_id`,
    ],
  },
  {
    version: 2,
    description: 'work rollups, hour and day rollup levels with watermarks, and the range macros that read them',
    statements: [...ROLLUP_LEVEL_STATEMENTS],
  },
  {
    version: 3,
    description: 'session_id and call_id on spans; log_records, metric_points and the views over them',
    statements: [
      ...SPAN_COLUMNS_V3.map(([n, t]) => `ALTER TABLE spans ADD COLUMN ${n} ${t}`),
      `UPDATE spans SET session_id = coalesce(attributes->>'gen_ai.conversation.id', attributes->>'session.id', attributes->>'conversation.id')
        WHERE coalesce(attributes->>'gen_ai.conversation.id', attributes->>'session.id', attributes->>'conversation.id') IS NOT NULL`,
      `CREATE TABLE log_records (${cols(LOG_COLUMNS)})`,
      `CREATE TABLE metric_points (${cols(METRIC_COLUMNS)})`,
      // A delta per point, whatever the temporality: a cumulative series restarts whenever its
      // start time changes, so each point's delta is its value minus the previous point of the same
      // series and start (the first point of a start counts whole). Gauges have no delta.
      `CREATE VIEW metric_deltas AS SELECT *,
        CASE WHEN kind = 'gauge' THEN NULL
             WHEN temporality = 'cumulative' THEN value - coalesce(lag(value) OVER w, 0)
             ELSE value END AS delta_value,
        CASE WHEN temporality = 'cumulative' THEN count - coalesce(lag(count) OVER w, 0) ELSE count END AS delta_count,
        CASE WHEN temporality = 'cumulative' THEN sum - coalesce(lag(sum) OVER w, 0) ELSE sum END AS delta_sum
        FROM metric_points WINDOW w AS (PARTITION BY series_id, start_ns ORDER BY time_ns, point_id)`,
      `CREATE VIEW evaluations AS SELECT time_ns, trace_id, span_id, service_name, session_id,
        attributes->>'gen_ai.evaluation.name' AS name,
        TRY_CAST(attributes->>'gen_ai.evaluation.score.value' AS DOUBLE) AS score_value,
        attributes->>'gen_ai.evaluation.score.label' AS score_label,
        attributes->>'gen_ai.evaluation.explanation' AS explanation,
        attributes->>'gen_ai.response.id' AS response_id, attributes
        FROM log_records WHERE event_name = 'gen_ai.evaluation.result'`,
    ],
  },
  {
    version: 4,
    description: 'agent_path on spans: the chain of agents from the trace root down to the span (store/agentPath.ts)',
    // Existing spans keep NULL: readers fall back to agent_name, which is what ingest gave them.
    statements: SPAN_COLUMNS_V4.map(([n, t]) => `ALTER TABLE spans ADD COLUMN ${n} ${t}`),
  },
];

export const CURRENT_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/** Reads the applied schema version (0 for an empty database). */
export async function readSchemaVersion(conn: DuckDBConnection): Promise<number> {
  const exists = await conn.runAndReadAll(
    `SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version' AND table_schema = 'main'`,
  );
  if (Number(exists.getRows()[0][0]) === 0) return 0;
  const r = await conn.runAndReadAll('SELECT coalesce(max(version), 0) FROM schema_version');
  return Number(r.getRows()[0][0]);
}

/** Applies every pending migration, each in its own transaction. Returns the versions applied. */
export async function migrate(conn: DuckDBConnection): Promise<number[]> {
  await conn.run('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, description VARCHAR, applied_at TIMESTAMP DEFAULT current_timestamp)');
  const current = await readSchemaVersion(conn);
  const applied: number[] = [];
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    await conn.run('BEGIN TRANSACTION');
    try {
      for (const s of m.statements) await conn.run(s);
      await conn.run('INSERT INTO schema_version (version, description) VALUES ($v, $d)', { v: m.version, d: m.description });
      await conn.run('COMMIT');
    } catch (err) {
      await conn.run('ROLLBACK');
      throw err;
    }
    applied.push(m.version);
  }
  return applied;
}
