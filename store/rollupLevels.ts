/**
 * Multi-resolution rollups. Besides the per-minute tables, every write appends the same
 * partial aggregates at hour and day resolution (`rollup_minute_1h/_1d`,
 * `rollup_sketch_1h/_1d`; the time column keeps the name `minute` and holds the bucket start).
 * Table macros `rollup_minute_range(a, b, g)` and `rollup_sketch_range(a, b, g)` return rows for
 * the window [a, b) reading the coarsest level that covers each part exactly: days in the middle,
 * hours around them, minutes at the ragged edges. `g` is the caller's time-bucket width in ms
 * (NULL when it does not group by time): hour rows are used only when g is a whole number of
 * hours, day rows only when it is a whole number of days, so time series stay exact. A 7-day panel reads ~7 day rows per series
 * instead of ~10 000 minute rows, and the answer is identical (sums of the same partials).
 *
 * The coarse sketch tables keep only agent_name, operation and model (service_name,
 * status_code and error_type are NULL there): latency quantiles are asked per agent,
 * operation and model; dropping the other dimensions is what makes the coarse levels small.
 */
import { ROLLUP_DIMENSIONS } from './rollupDimensions.js';

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

/**
 * Rewrites the partial rows of [fromTs, beforeTs) into one row per key. Appends from many
 * small batches leave many partial rows per minute; readers sum them either way, so
 * compaction changes no answer, only how many rows a query reads.
 */
export function compactionStatements(table: string, measures: 'minute' | 'sketch', fromTs: string, beforeTs: string): string[] {
  const keyCols = measures === 'sketch' ? `minute, ${dims}, bucket` : `minute, ${dims}`;
  const agg =
    measures === 'sketch'
      ? 'sum(n) AS n'
      : 'sum(span_count), sum(error_count), sum(duration_sum_ns), max(duration_max_ns), sum(input_tokens), sum(output_tokens), sum(cost_usd)';
  const where = `minute >= ${fromTs} AND minute < ${beforeTs}`;
  return [
    `CREATE OR REPLACE TEMP TABLE _compact AS SELECT ${keyCols}, ${agg} FROM ${table} WHERE ${where} GROUP BY ALL`,
    `DELETE FROM ${table} WHERE ${where}`,
    `INSERT INTO ${table} (${keyCols}, ${measures === 'sketch' ? 'n' : minuteMeasures}) SELECT * FROM _compact`,
    `DROP TABLE _compact`,
  ];
}

export const ROLLUP_TABLES: readonly { table: string; measures: 'minute' | 'sketch'; level: RollupLevel }[] = [
  { table: 'rollup_minute', measures: 'minute', level: 'minute' },
  { table: 'rollup_minute_1h', measures: 'minute', level: 'hour' },
  { table: 'rollup_minute_1d', measures: 'minute', level: 'day' },
  { table: 'rollup_sketch', measures: 'sketch', level: 'minute' },
  { table: 'rollup_sketch_1h', measures: 'sketch', level: 'hour' },
  { table: 'rollup_sketch_1d', measures: 'sketch', level: 'day' },
];
