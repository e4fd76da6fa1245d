/**
 * Analyzer at scale: the full report over N generated spans (default 10 M; target ≤ 15 s), and the
 * same percentile queries on identical data in DuckDB and in SQLite (Node's built-in `node:sqlite`, Node ≥ 22.5; the seed
 * design's store) measured in the same run (target ≥ 20× faster).
 *
 *   npm run build && node dist/bench/analyzer.bench.js [--spans N] [--compare-spans M] [--keep DIR]
 *
 * Data: 60 agent × operation × model scopes over 8 days, log-normal latencies, 2 % errors, two
 * injected regressions, 20 000 sessions and three-deep agent paths (for the costs and sessions stages), written with one `INSERT … SELECT FROM range(N)` (the bulk path, so rollups
 * are not maintained — the report reads raw spans). The SQLite comparison loads a deterministic
 * every-k-th subset of M spans (default 1 M) into both engines, because loading SQLite row by
 * row takes minutes at 10 M; both engines answer identical queries over identical rows, and the
 * answers are checked to be equal.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { DatabaseSync } from 'node:sqlite';
import { analyzeRun } from '../analyzer/analyze.js';
import { openStore } from '../store/DuckDbStore.js';

export interface BenchAnalyzerOptions {
  spans?: number;
  compareSpans?: number;
  /** Keep the generated files in this directory (default: a temp dir, removed afterwards). */
  dir?: string;
  log?: (line: string) => void;
}

export interface BenchAnalyzerResult {
  spans: number;
  generateMs: number;
  reportMs: number;
  regressions: number;
  compareSpans: number;
  sqliteLoadMs: number;
  queries: Array<{ name: string; duckdbMs: number; sqliteMs: number; ratio: number; rows: number }>;
  ratio: number;
}

const DAY_NS = 86_400_000_000_000n;
const NOW = new Date('2025-03-10T12:00:00.000Z');
const NOW_NS = BigInt(NOW.getTime()) * 1_000_000n;

/** Bulk generation in SQL; u(k) is a deterministic uniform from hash(i, k). */
const GENERATE = `
INSERT INTO spans (trace_id, span_id, parent_span_id, name, kind, start_ns, end_ns, duration_ns, status_code, service_name, scope_name,
  operation, agent_name, provider, model, error_type, input_tokens, output_tokens, cost_usd, context_size, queue_depth, team_signature,
  session_id, agent_path, attributes, resource_attributes, events, links)
WITH g AS (
  SELECT i, i % 60 AS s,
    CAST($from_ns AS BIGINT) + CAST(i * (CAST($span_ns AS DOUBLE) / CAST($n AS DOUBLE)) AS BIGINT) AS start_ns,
    (hash(i, 1) % 1000000) / 1e6 AS u1, (hash(i, 2) % 1000000) / 1e6 AS u2, (hash(i, 3) % 1000000) / 1e6 AS u3
  FROM range(CAST($n AS BIGINT)) t(i)
), d AS (
  SELECT *,
    exp(ln(50 + s * 40) + 0.35 * sqrt(-2 * ln(greatest(u1, 1e-9))) * cos(2 * pi() * u2))
      -- two injected regressions in the last 20 h: scope 7 latency ×1.6, scope 13 errors 2 % → 12 %
      * CASE WHEN s = 7 AND start_ns >= CAST($shift_ns AS BIGINT) THEN 1.6 ELSE 1 END AS ms,
    u3 < CASE WHEN s = 13 AND start_ns >= CAST($shift_ns AS BIGINT) THEN 0.12 ELSE 0.02 END AS err
  FROM g
)
SELECT lpad(lower(hex(i)), 32, '0'), lpad(lower(hex(i)), 16, '0'), NULL, 'chat', 'client', start_ns,
  start_ns + CAST(ms * 1e6 AS BIGINT), CAST(ms * 1e6 AS BIGINT), CASE WHEN err THEN 'ERROR' ELSE 'OK' END, 'bench', 'bench',
  ['chat', 'execute_tool', 'invoke_agent'][s % 3 + 1], 'agent' || s, 'openai', ['gpt-4o', 'claude', 'llama'][s % 3 + 1],
  CASE WHEN err THEN ['timeout', 'rate_limit'][CAST(u1 * 2 AS INTEGER) % 2 + 1] END,
  100 + i % 900, 20 + i % 200, 0.0001 * (1 + i % 7), 1000 + i % 5000, i % 12,
  CASE WHEN s < 4 THEN 'coder+planner' END,
  -- 20 000 sessions; agent paths three deep (an orchestrator over 6 leads over the 60 agents), as nested teams write them
  'session-' || (i % 20000), 'orchestrator > lead' || (s % 6) || ' > agent' || s,
  '{}', '{}', '[]', '[]'
FROM d`;

/** Percentiles as the analyzer computes them (nearest rank = quantile_disc), per scope and per scope × hour. */
const DUCK_QUERIES: Record<string, string> = {
  scope_percentiles: `SELECT agent_name, operation, model, count(*) AS n,
      quantile_disc(duration_ns, 0.5) AS p50, quantile_disc(duration_ns, 0.95) AS p95, quantile_disc(duration_ns, 0.99) AS p99
    FROM cmp GROUP BY ALL ORDER BY ALL`,
  hourly_p95: `SELECT agent_name, start_ns // 3600000000000 AS hour, quantile_disc(duration_ns, 0.95) AS p95
    FROM cmp GROUP BY ALL ORDER BY ALL`,
};

/** The same nearest-rank percentiles in SQLite: window functions (no percentile aggregate there). */
const SQLITE_QUERIES: Record<string, string> = {
  scope_percentiles: `WITH r AS (
      SELECT agent_name, operation, model, duration_ns,
        ROW_NUMBER() OVER (PARTITION BY agent_name, operation, model ORDER BY duration_ns) AS k,
        COUNT(*) OVER (PARTITION BY agent_name, operation, model) AS n
      FROM cmp)
    SELECT agent_name, operation, model, n,
      MIN(CASE WHEN k >= CAST(ceil(0.5 * n) AS INTEGER) THEN duration_ns END) AS p50,
      MIN(CASE WHEN k >= CAST(ceil(0.95 * n) AS INTEGER) THEN duration_ns END) AS p95,
      MIN(CASE WHEN k >= CAST(ceil(0.99 * n) AS INTEGER) THEN duration_ns END) AS p99
    FROM r GROUP BY agent_name, operation, model, n ORDER BY agent_name, operation, model`,
  hourly_p95: `WITH r AS (
      SELECT agent_name, start_ns / 3600000000000 AS hour, duration_ns,
        ROW_NUMBER() OVER (PARTITION BY agent_name, start_ns / 3600000000000 ORDER BY duration_ns) AS k,
        COUNT(*) OVER (PARTITION BY agent_name, start_ns / 3600000000000) AS n
      FROM cmp)
    SELECT agent_name, hour, MIN(CASE WHEN k >= CAST(ceil(0.95 * n) AS INTEGER) THEN duration_ns END) AS p95
    FROM r GROUP BY agent_name, hour ORDER BY agent_name, hour`,
};

const ms = (t0: number): number => Math.round(performance.now() - t0);

/** Runs the benchmark; see the file comment. */
export async function benchAnalyzer(opts: BenchAnalyzerOptions = {}): Promise<BenchAnalyzerResult> {
  const n = opts.spans ?? 10_000_000;
  const m = Math.min(n, opts.compareSpans ?? 1_000_000);
  const log = opts.log ?? ((l: string) => process.stdout.write(l + '\n'));
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'agentpulse-bench-'));
  const dbPath = join(dir, 'bench.duckdb');
  try {
    let t0 = performance.now();
    let store = await openStore(dbPath, { ingestSpool: false });
    const spanNs = 8n * DAY_NS;
    await store.query(GENERATE, { from_ns: String(NOW_NS - spanNs), span_ns: String(spanNs), n: String(n), shift_ns: String(NOW_NS - 20n * 3_600_000_000_000n) });
    await store.query('CHECKPOINT');
    await store.close();
    const generateMs = ms(t0);
    log(`generated ${n.toLocaleString('en')} spans in ${(generateMs / 1000).toFixed(1)} s`);

    store = await openStore(dbPath, { ingestSpool: false });
    t0 = performance.now();
    const run = await analyzeRun({ store, now: NOW, since: '24h', baseline: '7d' });
    const reportMs = ms(t0);
    log(`full report: ${(reportMs / 1000).toFixed(2)} s (${run.spansAnalyzed.toLocaleString('en')} spans in the window, ${n.toLocaleString('en')} in window+baseline; ${run.report.metrics.length} scopes, ${run.report.regressions.length} regressions, ${run.report.alerts.length} alerts) — target ≤ 15 s`);
    log(`  stages (ms): ${JSON.stringify(run.timings)}`);

    // Identical rows for both engines: every k-th span.
    const step = Math.max(1, Math.floor(n / m));
    await store.query('CREATE OR REPLACE TABLE cmp AS SELECT agent_name, operation, model, start_ns, duration_ns FROM spans LIMIT 0');
    // A hash-based subset: unrelated to scope, time or latency (an every-k-th row would alias with the scope cycle).
    await store.query(`INSERT INTO cmp SELECT agent_name, operation, model, start_ns, duration_ns FROM spans WHERE hash(span_id) % $step = 0 ORDER BY start_ns LIMIT $m`, { step, m });
    const cmpRows = await store.query('SELECT agent_name, operation, model, start_ns, duration_ns FROM cmp ORDER BY start_ns');
    let sqlite: DatabaseSync;
    try {
      // Node's own SQLite (no native addon to build at install); Node ≥ 22.5 has it.
      const { DatabaseSync: Sqlite } = await import('node:sqlite');
      sqlite = new Sqlite(join(dir, 'bench.sqlite'));
    } catch (err) {
      log(`SQLite comparison skipped: this Node (${process.version}) has no node:sqlite (${err instanceof Error ? err.message.split('\n')[0] : String(err)}); run the bench on Node ≥ 22.5 to compare`);
      await store.close();
      return { spans: n, generateMs, reportMs, regressions: run.report.regressions.length, compareSpans: cmpRows.length, sqliteLoadMs: Number.NaN, queries: [], ratio: Number.NaN };
    }
    sqlite.exec('PRAGMA journal_mode = WAL');
    sqlite.exec('PRAGMA synchronous = OFF');
    t0 = performance.now();
    sqlite.exec('CREATE TABLE cmp (agent_name TEXT, operation TEXT, model TEXT, start_ns INTEGER, duration_ns INTEGER)');
    const ins = sqlite.prepare('INSERT INTO cmp VALUES (?, ?, ?, ?, ?)');
    sqlite.exec('BEGIN');
    for (const r of cmpRows) ins.run(r.agent_name as string, r.operation as string, r.model as string, BigInt(String(r.start_ns)), r.duration_ns as number);
    sqlite.exec('COMMIT');
    const sqliteLoadMs = ms(t0);
    log(`comparison set: ${cmpRows.length.toLocaleString('en')} identical spans in both engines (SQLite load ${(sqliteLoadMs / 1000).toFixed(1)} s)`);

    const queries: BenchAnalyzerResult['queries'] = [];
    for (const name of Object.keys(DUCK_QUERIES)) {
      const best = async (f: () => Promise<unknown[]> | unknown[]): Promise<{ t: number; rows: unknown[] }> => {
        let t = Infinity;
        let rows: unknown[] = [];
        for (let i = 0; i < 3; i++) {
          const s = performance.now();
          rows = await f();
          t = Math.min(t, performance.now() - s);
        }
        return { t, rows };
      };
      const duck = await best(() => store.query(DUCK_QUERIES[name]));
      const stmt = sqlite.prepare(SQLITE_QUERIES[name]);
      const lite = await best(() => stmt.all());
      const same = JSON.stringify(duck.rows.map((r) => Object.values(r as object).map(String))) === JSON.stringify(lite.rows.map((r) => Object.values(r as object).map(String)));
      if (!same) throw new Error(`${name}: DuckDB and SQLite answers differ`);
      const ratio = lite.t / duck.t;
      queries.push({ name, duckdbMs: Math.round(duck.t * 10) / 10, sqliteMs: Math.round(lite.t * 10) / 10, ratio: Math.round(ratio * 10) / 10, rows: duck.rows.length });
      log(`${name}: DuckDB ${duck.t.toFixed(1)} ms, SQLite ${lite.t.toFixed(1)} ms → ${ratio.toFixed(1)}× (${duck.rows.length} rows, answers equal)`);
    }
    sqlite.close();
    await store.close();
    const ratio = Math.round(Math.exp(queries.reduce((s, q) => s + Math.log(q.ratio), 0) / queries.length) * 10) / 10;
    log(`DuckDB vs SQLite on the percentile queries: ${ratio}× (geometric mean) — target ≥ 20×`);
    const result = { spans: n, generateMs, reportMs, regressions: run.report.regressions.length, compareSpans: cmpRows.length, sqliteLoadMs, queries, ratio };
    log(JSON.stringify(result));
    return result;
  } finally {
    if (!opts.dir) rmSync(dir, { recursive: true, force: true });
  }
}

function arg(name: string): number | undefined {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : undefined;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const keep = process.argv.indexOf('--keep');
  await benchAnalyzer({ spans: arg('spans'), compareSpans: arg('compare-spans'), dir: keep >= 0 ? process.argv[keep + 1] : undefined });
}
