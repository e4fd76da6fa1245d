/**
 * Multi-resolution rollups.
 *
 * The writer appends per-minute partial rows (`rollup_minute`, `rollup_sketch`, `rollup_work`).
 * Hour and day levels (`<table>_1h`, `<table>_1d`; the time column keeps the name `minute` and
 * holds the period start) are built once a period has closed, by SQL over the finer level
 * (`advanceLevelStatements`, run from the writer's periodic maintenance), so the hot write path
 * pays for one level only. `rollup_levels` records, per coarse table, the time before which it
 * is complete. A span that arrives for an already-closed period is added to the coarse levels by
 * the writer itself, in the same transaction, so every level always holds every span once.
 *
 * Table macros `rollup_minute_range(a, b, g)`, `rollup_sketch_range(a, b, g)` and
 * `rollup_work_range(a, b, g)` return rows for [a, b) from the coarsest complete level that fits:
 * days in the middle, hours around them, minutes at the edges and after the watermark. `g` is the
 * caller's time-bucket width in ms (NULL when it does not group by time): hour rows are used only
 * when g is a whole number of hours, day rows only when it is a whole number of days, so time
 * series stay exact. A 7-day panel reads ~7 rows per series instead of ~10 000.
 *
 * The coarse sketch tables keep only agent_name, operation and model (service_name, status_code
 * and error_type are NULL there): latency quantiles are asked per agent, operation and model.
 * `rollup_work` aggregates spans that carry task, team, recovery or usage information by task
 * type, team signature, operation, root-ness, recovery strategy/outcome and status, so team,
 * cost-by-team/task and recovery panels need no raw spans.
 */
import { ROLLUP_DIMENSIONS, WORK_DIMENSIONS } from './rollupDimensions.js';

export type RollupLevel = 'minute' | 'hour' | 'day';
export type RollupFamily = 'minute' | 'sketch' | 'work';

const dims = ROLLUP_DIMENSIONS.join(', ');
const sumOf = (c: string): [string, string] => [c, `sum(${c})`];

interface Family {
  base: string;
  /** Key columns at the minute level (after `minute`). */
  keys: string;
  /** The same keys as expressions at the coarse levels. */
  coarseKeys: string;
  aggs: [column: string, expr: string][];
}

const FAMILIES: Record<RollupFamily, Family> = {
  minute: {
    base: 'rollup_minute',
    keys: dims,
    coarseKeys: dims,
    aggs: [sumOf('span_count'), sumOf('error_count'), sumOf('duration_sum_ns'), ['duration_max_ns', 'max(duration_max_ns)'], sumOf('input_tokens'), sumOf('output_tokens'), sumOf('cost_usd')],
  },
  sketch: {
    base: 'rollup_sketch',
    keys: `${dims}, bucket`,
    coarseKeys: 'NULL AS service_name, agent_name, operation, model, NULL AS status_code, NULL AS error_type, bucket',
    aggs: [sumOf('n')],
  },
  work: {
    base: 'rollup_work',
    keys: WORK_DIMENSIONS.join(', '),
    coarseKeys: WORK_DIMENSIONS.join(', '),
    aggs: [sumOf('span_count'), sumOf('error_count'), sumOf('duration_sum_ns'), sumOf('usage_spans'), sumOf('tokens'), sumOf('cost_usd')],
  },
};

const EPOCH = `TIMESTAMP '1970-01-01'`;
const watermarkOf = (table: string): string => `(SELECT complete_before FROM rollup_levels WHERE table_name = '${table}')`;

/**
 * The range macro of one family with the levels' watermarks as literals. They are constants so
 * DuckDB folds every branch's bounds and prunes row groups by zone maps; the writer redefines the
 * macros whenever maintenance moves a watermark (`rangeMacroStatements`).
 */
function rangeMacro(family: Family, hourWatermark: string, dayWatermark: string): string {
  const base = family.base;
  // hf: first full hour at or after a. ht: end of the full hours, capped by the hour level's
  // watermark. df/dt: full days inside [hf, ht), capped by the day level's watermark. Each
  // branch is a plain range on `minute`, so zone maps prune every row group outside it.
  const hf = `(CASE WHEN date_trunc('hour', a) = a THEN a ELSE date_trunc('hour', a) + INTERVAL 1 HOUR END)`;
  const ht = `least(date_trunc('hour', b), ${hourWatermark})`;
  const df = `(CASE WHEN date_trunc('day', ${hf}) = ${hf} THEN ${hf} ELSE date_trunc('day', ${hf}) + INTERVAL 1 DAY END)`;
  const dt = `least(date_trunc('day', ${ht}), ${dayWatermark})`;
  const hasH = `(${hf} < ${ht} AND (g IS NULL OR g % 3600000 = 0))`;
  const hasD = `(${hasH} AND ${df} < ${dt} AND (g IS NULL OR g % 86400000 = 0))`;
  return `CREATE OR REPLACE MACRO ${base}_range(a, b, g) AS TABLE
    SELECT * FROM ${base} WHERE NOT ${hasH} AND minute >= a AND minute < b
    UNION ALL SELECT * FROM ${base} WHERE ${hasH} AND minute >= a AND minute < ${hf}
    UNION ALL SELECT * FROM ${base} WHERE ${hasH} AND minute >= ${ht} AND minute < b
    UNION ALL SELECT * FROM ${base}_1h WHERE ${hasH} AND NOT ${hasD} AND minute >= ${hf} AND minute < ${ht}
    UNION ALL SELECT * FROM ${base}_1h WHERE ${hasD} AND minute >= ${hf} AND minute < ${df}
    UNION ALL SELECT * FROM ${base}_1h WHERE ${hasD} AND minute >= ${dt} AND minute < ${ht}
    UNION ALL SELECT * FROM ${base}_1d WHERE ${hasD} AND minute >= ${df} AND minute < ${dt}`;
}

/**
 * (Re)defines the three range macros for the given watermarks (coarse table → epoch ns; a
 * missing table means that level is not built, so the macro never reads it).
 */
export function rangeMacroStatements(watermarks: ReadonlyMap<string, bigint>): string[] {
  const lit = (table: string): string => {
    const ns = watermarks.get(table);
    return ns === undefined ? EPOCH : `make_timestamp(${ns / 1000n})`;
  };
  return Object.values(FAMILIES).map((f) => rangeMacro(f, lit(`${f.base}_1h`), lit(`${f.base}_1d`)));
}

/**
 * SQL that builds the coarse rows of every newly closed hour and day of one family, and moves
 * the watermarks. Periods close by the data: every hour before the newest minute's hour.
 */
export function advanceLevelStatements(name: RollupFamily): string[] {
  const f = FAMILIES[name];
  const out: string[] = [];
  for (const [unit, table, source, closeExpr] of [
    ['hour', `${f.base}_1h`, f.base, `(SELECT date_trunc('hour', max(minute)) FROM ${f.base})`],
    ['day', `${f.base}_1d`, `${f.base}_1h`, `date_trunc('day', coalesce(${watermarkOf(`${f.base}_1h`)}, ${EPOCH}))`],
  ] as const) {
    const from = `coalesce(${watermarkOf(table)}, ${EPOCH})`;
    const keys = unit === 'hour' ? f.coarseKeys : f.keys;
    out.push(
      `INSERT INTO ${table} SELECT date_trunc('${unit}', minute) AS minute, ${keys}, ${f.aggs.map(([, e]) => e).join(', ')}
       FROM ${source} WHERE minute >= ${from} AND minute < ${closeExpr} GROUP BY ALL`,
      `INSERT OR REPLACE INTO rollup_levels SELECT '${table}', greatest(${from}, coalesce(${closeExpr}, ${EPOCH}))`,
    );
  }
  return out;
}

/** The coarse tables and their minute-level sources, in build order. */
export const COARSE_TABLES: readonly { table: string; family: RollupFamily; level: 'hour' | 'day' }[] = (['minute', 'sketch', 'work'] as const).flatMap(
  (family) => [
    { table: `${FAMILIES[family].base}_1h`, family, level: 'hour' as const },
    { table: `${FAMILIES[family].base}_1d`, family, level: 'day' as const },
  ],
);

/** Every rollup table with its family and level (compaction and retention walk these). */
export const ROLLUP_TABLES: readonly { table: string; family: RollupFamily; level: RollupLevel }[] = (['minute', 'sketch', 'work'] as const).flatMap(
  (family) => [
    { table: FAMILIES[family].base, family, level: 'minute' as const },
    { table: `${FAMILIES[family].base}_1h`, family, level: 'hour' as const },
    { table: `${FAMILIES[family].base}_1d`, family, level: 'day' as const },
  ],
);

/**
 * Rewrites the partial rows of [fromTs, beforeTs) into one row per key. Appends from many
 * small batches leave many partial rows per minute; readers sum them either way, so
 * compaction changes no answer, only how many rows a query reads.
 */
export function compactionStatements(table: string, family: RollupFamily, fromTs: string, beforeTs: string): string[] {
  const f = FAMILIES[family];
  const keys = `minute, ${f.keys}`;
  const where = `minute >= ${fromTs} AND minute < ${beforeTs}`;
  return [
    `CREATE OR REPLACE TEMP TABLE _compact AS SELECT ${keys}, ${f.aggs.map(([, e]) => e).join(', ')} FROM ${table} WHERE ${where} GROUP BY ALL`,
    `DELETE FROM ${table} WHERE ${where}`,
    `INSERT INTO ${table} (${keys}, ${f.aggs.map(([c]) => c).join(', ')}) SELECT * FROM _compact`,
    `DROP TABLE _compact`,
  ];
}

/** Which spans the work rollups count: anything with task, team, recovery or usage information. */
export const WORK_SPAN_FILTER = `(task_type IS NOT NULL OR team_signature IS NOT NULL OR recovery_strategy IS NOT NULL OR cost_usd IS NOT NULL OR input_tokens IS NOT NULL OR output_tokens IS NOT NULL)`;

/** INSERT that adds the minute-level work-rollup partials of the spans in `source` (a table with the spans columns). */
export function workRollupInsert(source: string): string {
  return `INSERT INTO rollup_work SELECT date_trunc('minute', make_timestamp(start_ns // 1000)) AS minute, task_type, team_signature, operation,
      parent_span_id IS NULL AS is_root, recovery_strategy, recovery_outcome, status_code, count(*), count(*) FILTER (WHERE status_code = 'ERROR'),
      sum(duration_ns)::DOUBLE, count(*) FILTER (WHERE cost_usd IS NOT NULL OR input_tokens IS NOT NULL),
      coalesce(sum(coalesce(input_tokens, 0) + coalesce(output_tokens, 0)), 0), sum(cost_usd)
    FROM ${source} WHERE ${WORK_SPAN_FILTER} GROUP BY ALL`;
}

/** Builds every coarse level of every family up to the newest closed period. */
export const ADVANCE_ALL_LEVELS: readonly string[] = (['minute', 'sketch', 'work'] as const).flatMap(advanceLevelStatements);

/** Migration 2: work rollups, coarse levels (built from what is stored), watermarks and range macros. */
export const ROLLUP_LEVEL_STATEMENTS: readonly string[] = [
  `CREATE TABLE rollup_work (minute TIMESTAMP NOT NULL, task_type VARCHAR, team_signature VARCHAR, operation VARCHAR, is_root BOOLEAN,
     recovery_strategy VARCHAR, recovery_outcome VARCHAR, status_code VARCHAR, span_count BIGINT NOT NULL, error_count BIGINT NOT NULL,
     duration_sum_ns DOUBLE NOT NULL, usage_spans BIGINT NOT NULL, tokens BIGINT NOT NULL, cost_usd DOUBLE)`,
  workRollupInsert('spans'),
  ...ROLLUP_TABLES.filter((t) => t.level !== 'minute').map((t) => `CREATE TABLE ${t.table} AS SELECT * FROM ${FAMILIES[t.family].base} WITH NO DATA`),
  `CREATE TABLE rollup_levels (table_name VARCHAR PRIMARY KEY, complete_before TIMESTAMP NOT NULL)`,
  `CREATE TABLE rollup_compaction (table_name VARCHAR PRIMARY KEY, compacted_before TIMESTAMP)`,
  ...ADVANCE_ALL_LEVELS,
  // Placeholders until the writer defines them with the watermarks' values (DuckDbStore.open).
  ...rangeMacroStatements(new Map()),
];
