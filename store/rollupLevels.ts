/**
 * Multi-resolution rollups. Besides the per-minute tables, every write appends the same
 * partial aggregates at hour and day resolution (`rollup_minute_1h/_1d`,
 * `rollup_sketch_1h/_1d`; the time column keeps the name `minute` and holds the bucket start).
 * Table macros `rollup_minute_range(a, b, g)` and `rollup_sketch_range(a, b, g)` return rows for
 * the window [a, b) reading the coarsest level that covers each part exactly: days in the middle,
 * hours around them, minutes at the ragged edges. `g` is the caller's time-bucket width in ms
 * (NULL when it does not group by time): hour rows are used only when g is a whole number of
 * hours, day rows only when it is a whole number of days, so time series stay exact. A 7-day
 * panel reads ~7 day rows per series instead of ~10 000 minute rows, and the answer is identical
 * (sums of the same partials).
 *
 * `rollup_work` (and its `_1h`/`_1d` levels) aggregates the spans that carry task, team,
 * recovery or usage information by task type, team signature, operation, root-ness, recovery
 * strategy/outcome and status, so team, cost-by-team/task and recovery panels need no raw spans.
 *
 * The coarse sketch tables keep only agent_name, operation and model (service_name,
 * status_code and error_type are NULL there): latency quantiles are asked per agent,
 * operation and model; dropping the other dimensions is what makes the coarse levels small.
 */
import { ROLLUP_DIMENSIONS, WORK_DIMENSIONS } from './rollupDimensions.js';

export type RollupLevel = 'minute' | 'hour' | 'day';

/** Sketch dimensions kept at hour and day resolution. */
export const COARSE_SKETCH_DIMENSIONS = ['agent_name', 'operation', 'model'] as const;

const dims = ROLLUP_DIMENSIONS.join(', ');
const minuteMeasures = 'span_count, error_count, duration_sum_ns, duration_max_ns, input_tokens, output_tokens, cost_usd';

function rangeMacro(name: string, base: string): string {
  // hf/ht: full hours [hf, ht); df/dt: full days [df, dt) inside them. Each branch is a plain range
  // on `minute`, so zone maps prune every row group outside it.
  const hf = `(CASE WHEN date_trunc('hour', a) = a THEN a ELSE date_trunc('hour', a) + INTERVAL 1 HOUR END)`;
  const ht = `date_trunc('hour', b)`;
  const df = `(CASE WHEN date_trunc('day', ${hf}) = ${hf} THEN ${hf} ELSE date_trunc('day', ${hf}) + INTERVAL 1 DAY END)`;
  const dt = `date_trunc('day', ${ht})`;
  // g: the caller groups time into buckets of g ms (NULL = not at all). A level is usable only
  // when its periods nest inside the caller's buckets.
  const hasH = `(${hf} < ${ht} AND (g IS NULL OR g % 3600000 = 0))`;
  const hasD = `(${hasH} AND ${df} < ${dt} AND (g IS NULL OR g % 86400000 = 0))`;
  return `CREATE OR REPLACE MACRO ${name}(a, b, g) AS TABLE
    SELECT * FROM ${base} WHERE NOT ${hasH} AND minute >= a AND minute < b
    UNION ALL SELECT * FROM ${base} WHERE ${hasH} AND minute >= a AND minute < ${hf}
    UNION ALL SELECT * FROM ${base} WHERE ${hasH} AND minute >= ${ht} AND minute < b
    UNION ALL SELECT * FROM ${base}_1h WHERE ${hasH} AND NOT ${hasD} AND minute >= ${hf} AND minute < ${ht}
    UNION ALL SELECT * FROM ${base}_1h WHERE ${hasD} AND minute >= ${hf} AND minute < ${df}
    UNION ALL SELECT * FROM ${base}_1h WHERE ${hasD} AND minute >= ${dt} AND minute < ${ht}
    UNION ALL SELECT * FROM ${base}_1d WHERE ${hasD} AND minute >= ${df} AND minute < ${dt}`;
}

const coarseSketchSelect = (unit: 'hour' | 'day'): string =>
  `SELECT date_trunc('${unit}', minute) AS minute, NULL AS service_name, agent_name, operation, model, NULL AS status_code, NULL AS error_type, bucket, sum(n) AS n
   FROM rollup_sketch GROUP BY ALL`;
const coarseMinuteSelect = (unit: 'hour' | 'day'): string =>
  `SELECT date_trunc('${unit}', minute) AS minute, ${dims}, sum(span_count) AS span_count, sum(error_count) AS error_count,
     sum(duration_sum_ns) AS duration_sum_ns, max(duration_max_ns) AS duration_max_ns, sum(input_tokens) AS input_tokens,
     sum(output_tokens) AS output_tokens, sum(cost_usd) AS cost_usd
   FROM rollup_minute GROUP BY ALL`;

/** Migration 2: coarse tables, filled from the existing minute rollups, and the range macros. */
export const ROLLUP_LEVEL_STATEMENTS: readonly string[] = [
  `CREATE TABLE rollup_minute_1h AS SELECT * FROM rollup_minute WITH NO DATA`,
  `CREATE TABLE rollup_minute_1d AS SELECT * FROM rollup_minute WITH NO DATA`,
  `CREATE TABLE rollup_sketch_1h AS SELECT * FROM rollup_sketch WITH NO DATA`,
  `CREATE TABLE rollup_sketch_1d AS SELECT * FROM rollup_sketch WITH NO DATA`,
  `INSERT INTO rollup_minute_1h ${coarseMinuteSelect('hour')}`,
  `INSERT INTO rollup_minute_1d ${coarseMinuteSelect('day')}`,
  `INSERT INTO rollup_sketch_1h ${coarseSketchSelect('hour')}`,
  `INSERT INTO rollup_sketch_1d ${coarseSketchSelect('day')}`,
  rangeMacro('rollup_minute_range', 'rollup_minute'),
  rangeMacro('rollup_sketch_range', 'rollup_sketch'),
];

/** Key columns and aggregate expressions of each rollup family, for compaction. */
interface Family {
  keys: string;
  aggs: [column: string, expr: string][];
}

const sumOf = (c: string): [string, string] => [c, `sum(${c})`];

const FAMILIES: Record<'minute' | 'sketch' | 'work', Family> = {
  minute: {
    keys: `minute, ${dims}`,
    aggs: [sumOf('span_count'), sumOf('error_count'), sumOf('duration_sum_ns'), ['duration_max_ns', 'max(duration_max_ns)'], sumOf('input_tokens'), sumOf('output_tokens'), sumOf('cost_usd')],
  },
  sketch: { keys: `minute, ${dims}, bucket`, aggs: [sumOf('n')] },
  work: {
    keys: `minute, ${WORK_DIMENSIONS.join(', ')}`,
    aggs: [sumOf('span_count'), sumOf('error_count'), sumOf('duration_sum_ns'), sumOf('usage_spans'), sumOf('tokens'), sumOf('cost_usd')],
  },
};

/**
 * Rewrites the partial rows of [fromTs, beforeTs) into one row per key. Appends from many
 * small batches leave many partial rows per minute; readers sum them either way, so
 * compaction changes no answer, only how many rows a query reads.
 */
export function compactionStatements(table: string, family: keyof typeof FAMILIES, fromTs: string, beforeTs: string): string[] {
  const f = FAMILIES[family];
  const where = `minute >= ${fromTs} AND minute < ${beforeTs}`;
  return [
    `CREATE OR REPLACE TEMP TABLE _compact AS SELECT ${f.keys}, ${f.aggs.map(([, e]) => e).join(', ')} FROM ${table} WHERE ${where} GROUP BY ALL`,
    `DELETE FROM ${table} WHERE ${where}`,
    `INSERT INTO ${table} (${f.keys}, ${f.aggs.map(([c]) => c).join(', ')}) SELECT * FROM _compact`,
    `DROP TABLE _compact`,
  ];
}

export const ROLLUP_TABLES: readonly { table: string; family: keyof typeof FAMILIES; level: RollupLevel }[] = (['minute', 'sketch', 'work'] as const).flatMap(
  (family) => {
    const base = family === 'minute' ? 'rollup_minute' : `rollup_${family}`;
    return [
      { table: base, family, level: 'minute' as const },
      { table: `${base}_1h`, family, level: 'hour' as const },
      { table: `${base}_1d`, family, level: 'day' as const },
    ];
  },
);

/** Which spans the work rollups count: anything with task, team, recovery or usage information. */
export const WORK_SPAN_FILTER = `(task_type IS NOT NULL OR team_signature IS NOT NULL OR recovery_strategy IS NOT NULL OR cost_usd IS NOT NULL OR input_tokens IS NOT NULL OR output_tokens IS NOT NULL)`;

/** Migration 3: the work rollups (empty for spans written before it; `rebuildWorkRollups` fills them). */
export const WORK_ROLLUP_STATEMENTS: readonly string[] = [
  `CREATE TABLE rollup_work (minute TIMESTAMP NOT NULL, task_type VARCHAR, team_signature VARCHAR, operation VARCHAR, is_root BOOLEAN,
     recovery_strategy VARCHAR, recovery_outcome VARCHAR, status_code VARCHAR, span_count BIGINT NOT NULL, error_count BIGINT NOT NULL,
     duration_sum_ns DOUBLE NOT NULL, usage_spans BIGINT NOT NULL, tokens BIGINT NOT NULL, cost_usd DOUBLE)`,
  `CREATE TABLE rollup_work_1h AS SELECT * FROM rollup_work WITH NO DATA`,
  `CREATE TABLE rollup_work_1d AS SELECT * FROM rollup_work WITH NO DATA`,
  ...workRollupInserts('spans'),
  rangeMacro('rollup_work_range', 'rollup_work'),
];

/** INSERTs that add the work-rollup partials of the spans in `source` (a table with the spans columns) at every level. */
export function workRollupInserts(source: string): string[] {
  return (['minute', 'hour', 'day'] as const).map(
    (unit) => `INSERT INTO rollup_work${unit === 'minute' ? '' : unit === 'hour' ? '_1h' : '_1d'} ${workSelect(unit, source)}`,
  );
}

function workSelect(unit: RollupLevel, source: string): string {
  return `SELECT date_trunc('${unit}', make_timestamp(start_ns // 1000)) AS minute, task_type, team_signature, operation, parent_span_id IS NULL AS is_root,
      recovery_strategy, recovery_outcome, status_code, count(*), count(*) FILTER (WHERE status_code = 'ERROR'), sum(duration_ns)::DOUBLE,
      count(*) FILTER (WHERE cost_usd IS NOT NULL OR input_tokens IS NOT NULL), coalesce(sum(coalesce(input_tokens, 0) + coalesce(output_tokens, 0)), 0),
      sum(cost_usd)
    FROM ${source} WHERE ${WORK_SPAN_FILTER} GROUP BY ALL`;
}
