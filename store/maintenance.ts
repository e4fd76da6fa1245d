import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Row } from './types.js';

/** What maintenance needs from a store: queries and a transaction (DuckDbStore is one). */
export interface MaintainedStore {
  query(sql: string, params?: Record<string, unknown>): Promise<Row[]>;
  transaction<T>(fn: () => Promise<T>): Promise<T>;
}
import { ADVANCE_ALL_LEVELS, compactionStatements, ROLLUP_TABLES } from './rollupLevels.js';

export interface ExportOptions {
  /** Only spans with start_ns >= sinceNs. */
  sinceNs?: bigint;
  /** Only spans with start_ns < untilNs. */
  untilNs?: bigint;
}

/** A table exported to Parquet: where its files go, its time column and its row key. */
interface ExportedTable {
  table: string;
  /** Folder under the export root ('' = the root itself, where spans have always gone). */
  folder: string;
  time: string;
  key: string;
}

const EXPORTED: readonly ExportedTable[] = [
  { table: 'spans', folder: '', time: 'start_ns', key: 'trace_id, span_id' },
  { table: 'log_records', folder: 'log_records', time: 'time_ns', key: 'record_id' },
  { table: 'metric_points', folder: 'metric_points', time: 'time_ns', key: 'point_id' },
];

/**
 * Writes spans as Hive-partitioned Parquet (`DIR/day=YYYY-MM-DD/spans-*.parquet`, zstd), and log
 * records and metric points the same way under `DIR/log_records/` and `DIR/metric_points/` (the documented one-level glob `DIR/<star>/<star>.parquet` still reads spans only), so DuckDB, ClickHouse, Spark or pandas can
 * read the history. Idempotent: a day that already has files is rewritten as the union of what
 * they hold and what the store has now, one row per key, so exporting twice (or overlapping
 * ranges) never duplicates a row, and rows the folder holds that the store has since deleted
 * (retention) are kept. Each day's new file appears under its final name only once written; the
 * day's older files are removed after.
 */
export async function exportParquet(
  store: MaintainedStore,
  dir: string,
  options: ExportOptions = {},
): Promise<{ spans: number; days: string[]; logs: number; points: number }> {
  const root = resolve(dir);
  const counts: number[] = [];
  let spanDays: string[] = [];
  for (const t of EXPORTED) {
    const { rows, days } = await exportTable(store, t, t.folder ? join(root, t.folder) : root, options);
    counts.push(rows);
    if (t.table === 'spans') spanDays = days;
  }
  return { spans: counts[0]!, days: spanDays, logs: counts[1]!, points: counts[2]! };
}

async function exportTable(store: MaintainedStore, t: ExportedTable, target: string, options: ExportOptions): Promise<{ rows: number; days: string[] }> {
  const where = `(CAST($since AS BIGINT) IS NULL OR ${t.time} >= CAST($since AS BIGINT)) AND (CAST($until AS BIGINT) IS NULL OR ${t.time} < CAST($until AS BIGINT))`;
  const params = { since: options.sinceNs?.toString() ?? null, until: options.untilNs?.toString() ?? null };
  const dayOf = `strftime(make_timestamp(${t.time} // 1000), '%Y-%m-%d')`;
  const days = await store.query(`SELECT ${dayOf} AS day, count(*) AS n FROM ${t.table} WHERE ${where} GROUP BY 1 ORDER BY 1`, params);
  if (days.length === 0) return { rows: 0, days: [] };
  mkdirSync(target, { recursive: true });
  // COPY cannot bind its target path; paths are quoted, never built from user SQL.
  const quote = (path: string): string => `'${path.replace(/'/g, "''")}'`;
  for (const { day } of days) {
    const dayDir = join(target, `day=${String(day)}`);
    mkdirSync(dayDir, { recursive: true });
    const earlier = readdirSync(dayDir).filter((f) => f.endsWith('.parquet')).map((f) => join(dayDir, f));
    const fresh = `SELECT * FROM ${t.table} WHERE ${where} AND ${dayOf} = $day`;
    const rows = earlier.length === 0
      ? fresh
      : `SELECT * FROM (SELECT * FROM read_parquet([${earlier.map(quote).join(', ')}], union_by_name = true) UNION ALL BY NAME ${fresh})
         QUALIFY row_number() OVER (PARTITION BY ${t.key} ORDER BY ${t.time}) = 1`;
    const name = `${t.table}-${randomUUID()}.parquet`;
    const tmp = join(dayDir, `.${name}.tmp`);
    await store.query(`COPY (${rows} ORDER BY ${t.time}, ${t.key}) TO ${quote(tmp)} (FORMAT parquet, COMPRESSION zstd)`, { ...params, day: String(day) });
    renameSync(tmp, join(dayDir, name));
    for (const f of earlier) rmSync(f, { force: true });
  }
  return { rows: days.reduce((s, d) => s + Number(d.n), 0), days: days.map((d) => String(d.day)) };
}

export interface RetentionOptions {
  /** Delete raw spans (and log records and metric points) older than this many days. */
  spansDays: number;
  /** Delete rollups older than this many days (keep them longer: they are small). */
  rollupsDays: number;
  nowMs?: number;
}

/** Deletes old raw spans, log records, metric points and rollups, then checkpoints so the file can shrink. */
export async function applyRetention(
  store: MaintainedStore,
  options: RetentionOptions,
): Promise<{ spans: number; rollupRows: number; logs: number; points: number }> {
  const now = BigInt(Math.round(options.nowMs ?? Date.now())) * 1_000_000n;
  const spanCut = now - BigInt(Math.round(options.spansDays * 86_400)) * 1_000_000_000n;
  const rollCutMs = Number(now / 1_000_000n) - options.rollupsDays * 86_400_000;
  const [{ n: spans }] = await store.query('SELECT count(*) AS n FROM spans WHERE start_ns < CAST($cut AS BIGINT)', { cut: spanCut.toString() });
  const [{ n: rolls }] = await store.query('SELECT count(*) AS n FROM rollup_minute WHERE minute < make_timestamp(CAST($cut AS BIGINT) * 1000)', { cut: rollCutMs });
  await store.query('DELETE FROM spans WHERE start_ns < CAST($cut AS BIGINT)', { cut: spanCut.toString() });
  const signalCounts: number[] = [];
  for (const table of ['log_records', 'metric_points']) {
    const [{ n }] = await store.query(`SELECT count(*) AS n FROM ${table} WHERE time_ns < CAST($cut AS BIGINT)`, { cut: spanCut.toString() });
    await store.query(`DELETE FROM ${table} WHERE time_ns < CAST($cut AS BIGINT)`, { cut: spanCut.toString() });
    signalCounts.push(Number(n));
  }
  // A coarse row is deleted only when its whole period is past the cut-off.
  for (const { table, level } of ROLLUP_TABLES) {
    await store.query(`DELETE FROM ${table} WHERE minute < date_trunc('${level}', make_timestamp(CAST($cut AS BIGINT) * 1000))`, { cut: rollCutMs });
  }
  await store.query('CHECKPOINT');
  return { spans: Number(spans), rollupRows: Number(rolls), logs: signalCounts[0]!, points: signalCounts[1]! };
}

/** How far before the last watermark each level is re-compacted (late spans land there). */
const LATE_LOOKBACK = { minute: '1 HOUR', hour: '1 DAY', day: '7 DAYS' } as const;

/**
 * Builds the hour and day rollups of newly closed periods, then merges the partial rollup rows
 * of closed periods (every minute, hour and day before the newest one in each table) into one
 * row per key, from where the last compaction stopped. Answers do not change; queries read
 * fewer rows. Returns the rows removed. Prefer `store.maintainRollups()`, which also refreshes
 * the writer's view of the level watermarks.
 */
export async function compactRollups(store: MaintainedStore): Promise<number> {
  // Hour and day levels of newly closed periods first (one transaction: levels and watermarks move together).
  await store.transaction(async () => {
    for (const sql of ADVANCE_ALL_LEVELS) await store.query(sql);
  });
  let removed = 0;
  for (const { table, family, level } of ROLLUP_TABLES) {
    const [{ cutoff, before }] = await store.query(
      `SELECT CAST(date_trunc('${level}', max(minute)) AS VARCHAR) AS cutoff, count(*) AS before FROM ${table}`,
    );
    if (cutoff === null) continue;
    // Start a little before the last watermark: late spans add partial rows to closed periods too.
    const [{ from }] = await store.query(
      `SELECT CAST(coalesce(max(compacted_before) - INTERVAL ${LATE_LOOKBACK[level]}, TIMESTAMP '1970-01-01') AS VARCHAR) AS "from"
       FROM rollup_compaction WHERE table_name = $t`,
      { t: table },
    );
    if (String(from) >= String(cutoff)) continue;
    await store.transaction(async () => {
      for (const sql of compactionStatements(table, family, `TIMESTAMP '${from}'`, `TIMESTAMP '${cutoff}'`)) await store.query(sql);
      await store.query(
        `INSERT INTO rollup_compaction VALUES ($t, CAST($c AS TIMESTAMP)) ON CONFLICT (table_name) DO UPDATE SET compacted_before = excluded.compacted_before`,
        { t: table, c: cutoff },
      );
    });
    const [{ after }] = await store.query(`SELECT count(*) AS after FROM ${table}`);
    removed += Number(before) - Number(after);
  }
  return removed;
}
