/**
 * DuckDB vs ClickHouse on the same spans (issue 10): the full analyzer report, each analyzer
 * named query, and the dashboard API panels, timed side by side in one run on this machine.
 * ClickHouse is the real engine embedded (chDB, the same code as clickhouse-server, no network);
 * install it with `npm install --no-save chdb`.
 *
 *   npm run build && node dist/bench/clickhouse.bench.js [--spans N] [--rounds R]
 *
 * Data (default 10 M spans over 8 days, 60 agent × operation × model scopes, log-normal latencies,
 * 2 % errors, a regression in the last day) is generated inside each engine by the same integer
 * arithmetic, so both hold the same rows: DuckDB into `spans` (+ rollups built by SQL, as the
 * writer would), ClickHouse into `otel_traces` in the OTel exporter layout, with the rollup
 * materialized views firing on insert. Span counts are checked equal before timing.
 */
import { workRollupInsert } from '../store/rollupLevels.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { analyzeRun } from '../analyzer/analyze.js';
import { DashboardApi } from '../dashboard/DashboardApi.js';
import { ChdbExecutor } from '../store/clickhouse/ChdbExecutor.js';
import { ClickHouseStore } from '../store/clickhouse/ClickHouseStore.js';
import { DuckDbTraceStore } from '../store/clickhouse/DuckDbTraceStore.js';
import { DuckDbStore } from '../store/DuckDbStore.js';
import { SKETCH_GAMMA } from '../store/sketch.js';
import type { TraceStore } from '../store/TraceStore.js';

export interface ClickHouseBenchOptions {
  spans?: number;
  /** Timed repetitions per query (median reported; default 3). */
  rounds?: number;
  log?: (line: string) => void;
}

export interface BenchRow {
  name: string;
  duckdbMs: number;
  clickhouseMs: number;
  /** duckdbMs / clickhouseMs: > 1 means ClickHouse was faster. */
  ratio: number;
}

export interface ClickHouseBenchResult {
  spans: number;
  loadMs: { duckdb: number; clickhouse: number };
  rows: BenchRow[];
}

const NOW = new Date('2025-03-10T12:00:00.000Z');
const NOW_NS = BigInt(NOW.getTime()) * 1_000_000n;
const SPAN_NS = 8n * 86_400_000_000_000n;
const LN_GAMMA = Math.log(SKETCH_GAMMA).toPrecision(17);

/**
 * One generator, two dialects: u(i, k) is integer arithmetic (identical in both engines), the
 * latency a Box–Muller log-normal per scope; scope 7 is 1.6× slower in the last 20 h.
 */
function columns(d: 'duckdb' | 'clickhouse'): Record<string, string> {
  const idiv = (a: string, b: string): string => (d === 'duckdb' ? `(${a}) // (${b})` : `intDiv(${a}, ${b})`);
  const u = (k: number): string => `((i * ${2654435761 + k * 40503} + ${k * 97}) % 1000003) / 1000003.0`;
  const start = `${NOW_NS - SPAN_NS} + ${idiv(`i * ${SPAN_NS / 1_000_000n}`, 'n')} * 1000000`;
  const s = 'i % 60';
  const ms = `exp(ln(50 + (${s}) * 40) + 0.35 * sqrt(-2 * ln(greatest(${u(1)}, 1e-9))) * cos(2 * pi() * ${u(2)}))
    * (CASE WHEN (${s}) = 7 AND (${start}) > ${NOW_NS - 72_000_000_000_000n} THEN 1.6 ELSE 1 END)`;
  return {
    start_ns: start,
    duration_ns: `CAST(floor(${ms} * 1000000) AS BIGINT)`,
    error: `${u(3)} < 0.02`,
    agent: `'agent-' || CAST((${s}) % 12 AS VARCHAR)`,
    operation: `CASE (${s}) % 3 WHEN 0 THEN 'invoke_agent' WHEN 1 THEN 'chat' ELSE 'execute_tool' END`,
    model: `'model-' || CAST((${s}) % 5 AS VARCHAR)`,
    in_tok: `CAST(100 + i % 900 AS BIGINT)`,
    out_tok: `CAST(20 + i % 200 AS BIGINT)`,
    cost: `(i % 1000) / 100000.0`,
    queue: `CAST(i % 7 AS BIGINT)`,
    task: `'task-' || CAST(${idiv('i', '12')} AS VARCHAR)`,
    team: `CASE WHEN i % 12 = 0 THEN 'agent-1+agent-2' WHEN i % 12 = 6 THEN 'agent-3+agent-4+agent-5' ELSE NULL END`,
    trace: d === 'duckdb' ? `lpad(to_hex(${idiv('i', '12')}), 32, '0')` : `leftPad(lower(hex(toUInt64(${idiv('i', '12')}))), 32, '0')`,
    span: d === 'duckdb' ? `lpad(to_hex(i), 16, '0')` : `leftPad(lower(hex(toUInt64(i))), 16, '0')`,
  };
}

async function loadDuckDb(store: DuckDbStore, n: number): Promise<void> {
  const c = columns('duckdb');
  await store.query(`
    INSERT INTO spans (trace_id, span_id, parent_span_id, name, kind, start_ns, end_ns, duration_ns, status_code, service_name, scope_name,
      operation, agent_name, provider, model, task_id, task_type, team_signature, error_type, input_tokens, output_tokens, cost_usd, queue_depth,
      attributes, resource_attributes, events, links)
    SELECT trace, span, NULL, operation || ' ' || agent, 'internal', start_ns, start_ns + duration_ns, duration_ns,
      CASE WHEN err THEN 'ERROR' ELSE 'OK' END, 'bench', 'bench', operation, agent, 'openai', model, task, 'bench', team,
      CASE WHEN err THEN (CASE WHEN i % 2 = 0 THEN 'timeout' ELSE 'rate_limit' END) ELSE NULL END, in_tok, out_tok, cost, queue, '{}', '{}', '[]', '[]'
    FROM (SELECT i, ${Object.entries(c).map(([k, e]) => `${e.replace(/\bn\b/g, String(n))} AS ${k === 'error' ? 'err' : k}`).join(', ')}
          FROM range(${n}) t(i))`);
  const minute = `make_timestamp(start_ns // 1000 - start_ns // 1000 % 60000000)`;
  const dims = 'service_name, agent_name, operation, model, status_code, error_type';
  await store.query(`INSERT INTO rollup_minute SELECT ${minute} AS minute, ${dims}, count(*), count(*) FILTER (WHERE status_code = 'ERROR'),
    sum(duration_ns), max(duration_ns), coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0), coalesce(sum(cost_usd), 0) FROM spans GROUP BY ALL`);
  await store.query(`INSERT INTO rollup_sketch SELECT ${minute} AS minute, ${dims},
    CASE WHEN duration_ns > 0 THEN CAST(ceil(ln(duration_ns) / ${LN_GAMMA}) AS SMALLINT) ELSE -32768 END AS bucket, count(*) FROM spans GROUP BY ALL`);
  await store.query(workRollupInsert('spans'));
  // Hour and day levels, as the writer's maintenance builds them for closed periods.
  await store.maintainRollups();
  await store.query('CHECKPOINT');
}

async function loadClickHouse(ex: ChdbExecutor, n: number): Promise<void> {
  const c = columns('clickhouse');
  const sel = Object.entries(c).map(([k, e]) => `${e.replace(/\bn\b/g, String(n)).replace(/CAST\(([^()]*?) AS VARCHAR\)/g, 'toString($1)')} AS ${k === 'error' ? 'err' : k}`).join(', ');
  await ex.command(`
    INSERT INTO otel_traces (Timestamp, TraceId, SpanId, ParentSpanId, SpanName, SpanKind, ServiceName, ResourceAttributes, ScopeName,
      SpanAttributes, Duration, StatusCode)
    SELECT fromUnixTimestamp64Nano(toInt64(start_ns)), trace, span, '', concat(operation, ' ', agent), 'Internal', 'bench', map('service.name', 'bench'), 'bench',
      mapFilter((k, v) -> v != '', map('gen_ai.operation.name', operation, 'gen_ai.agent.name', agent, 'gen_ai.provider.name', 'openai',
        'gen_ai.request.model', model, 'agentpulse.task.id', task, 'agentpulse.task.type', 'bench', 'agentpulse.team.signature', coalesce(team, ''),
        'error.type', if(err, if(i % 2 = 0, 'timeout', 'rate_limit'), ''), 'gen_ai.usage.input_tokens', toString(in_tok),
        'gen_ai.usage.output_tokens', toString(out_tok), 'agentpulse.cost.usd', toString(cost), 'agentpulse.queue.depth', toString(queue))),
      toUInt64(duration_ns), if(err, 'Error', 'Ok')
    FROM (SELECT number AS i, ${sel} FROM numbers(${n}))
    SETTINGS max_insert_threads = 2`);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const r1 = (x: number): number => Math.round(x * 10) / 10;

async function time(fn: () => Promise<unknown>, rounds: number): Promise<number> {
  await fn(); // warm-up: plans, caches, cold columns
  const ts: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    await fn();
    ts.push(performance.now() - t);
  }
  return median(ts);
}

/** Runs the benchmark; returns the side-by-side timings. */
export async function benchClickHouse(o: ClickHouseBenchOptions = {}): Promise<ClickHouseBenchResult> {
  const log = o.log ?? ((l: string) => process.stdout.write(l + '\n'));
  const n = o.spans ?? 10_000_000;
  const rounds = o.rounds ?? 3;
  const dir = mkdtempSync(join(tmpdir(), 'ap-ch-bench-'));
  let duck: DuckDbTraceStore | null = null;
  let ch: ClickHouseStore | null = null;
  try {
    duck = new DuckDbTraceStore(await DuckDbStore.open(join(dir, 'bench.duckdb'), { ingestSpool: false }));
    const ex = await ChdbExecutor.open(join(dir, 'chdb'));
    ch = await ClickHouseStore.open(ex, { ttlDays: 0, rollupTtlDays: 0 });
    let t = performance.now();
    await loadDuckDb(duck.store, n);
    const loadDuck = performance.now() - t;
    t = performance.now();
    await loadClickHouse(ex, n);
    const loadCh = performance.now() - t;
    const count = async (s: TraceStore): Promise<number> => Number((await s.query('SELECT count(*) AS n FROM spans')).rows[0].n);
    const [cd, cc] = [await count(duck), await count(ch)];
    if (cd !== cc || cd !== n) throw new Error(`span counts differ: DuckDB ${cd}, ClickHouse ${cc}, expected ${n}`);
    log(`clickhouse bench: ${n.toLocaleString('en-US')} spans; load DuckDB ${r1(loadDuck / 1000)} s (spans + rollups by SQL), ClickHouse ${r1(loadCh / 1000)} s (otel_traces + rollup MVs)`);

    const rows: BenchRow[] = [];
    const both = async (name: string, f: (s: DuckDbTraceStore | ClickHouseStore) => Promise<unknown>): Promise<void> => {
      let a: number;
      let b: number;
      try {
        a = await time(() => f(duck!), rounds);
        b = await time(() => f(ch!), rounds);
      } catch (err) {
        // One failing query (e.g. a schema change mid-development) should not cost the rest of a 10 M run.
        log(`  ${name.padEnd(40)} FAILED: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`);
        return;
      }
      const row = { name, duckdbMs: r1(a), clickhouseMs: r1(b), ratio: Math.round((a / b) * 100) / 100 };
      rows.push(row);
      log(`  ${name.padEnd(40)} DuckDB ${String(row.duckdbMs).padStart(9)} ms   ClickHouse ${String(row.clickhouseMs).padStart(9)} ms   ×${row.ratio}`);
    };
    await both('analyzer: full report (24h vs 7d)', (s) => analyzeRun({ source: { named: (q, p) => s.named(q, p) }, now: NOW, since: '24h', baseline: '7d', persist: false }));
    const ns = (x: bigint): string => x.toString();
    const w = { from_ns: ns(NOW_NS - 86_400_000_000_000n), to_ns: ns(NOW_NS) };
    const b = { base_from_ns: ns(NOW_NS - SPAN_NS), base_to_ns: w.from_ns, cur_from_ns: w.from_ns, cur_to_ns: w.to_ns };
    await both('analyzer_metrics (24h)', (s) => s.named('analyzer_metrics', w));
    await both('analyzer_metrics (8d)', (s) => s.named('analyzer_metrics', { from_ns: ns(NOW_NS - SPAN_NS), to_ns: w.to_ns }));
    await both('analyzer_metrics_rollup (8d)', (s) => s.named('analyzer_metrics_rollup', { from_ns: ns(NOW_NS - SPAN_NS), to_ns: w.to_ns }));
    await both('analyzer_series (8d, 1h buckets)', (s) => s.named('analyzer_series', { from_ns: ns(NOW_NS - SPAN_NS), to_ns: w.to_ns, bucket_ns: '3600000000000' }));
    await both('analyzer_latency_samples (cap 2000)', (s) => s.named('analyzer_latency_samples', { ...b, cap: 2000 }));
    await both('analyzer_scope_windows', (s) => s.named('analyzer_scope_windows', b));
    await both('analyzer_teams (24h)', (s) => s.named('analyzer_teams', w));
    await both('learning_execution_records (24h)', (s) => s.named('learning_execution_records', { since_ns: w.from_ns }));
    const api = (s: DuckDbTraceStore | ClickHouseStore): DashboardApi => new DashboardApi(s, { now: () => NOW.getTime() });
    const apis = new Map<TraceStore, DashboardApi>([[duck, api(duck)], [ch, api(ch)]]);
    for (const range of ['24h', '7d']) {
      for (const p of ['summary', 'agents', 'timeseries', 'errors', 'costs', 'teams'] as const) {
        await both(`dashboard /api/${p}?range=${range}`, (s) => apis.get(s)![p]({ range }));
      }
    }
    await both('dashboard /api/traces?range=24h&status=ERROR', (s) => apis.get(s)!.traces({ range: '24h', status: 'ERROR' }));
    return { spans: n, loadMs: { duckdb: r1(loadDuck), clickhouse: r1(loadCh) }, rows };
  } finally {
    await ch?.close();
    await duck?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function arg(name: string): number | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : undefined;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await benchClickHouse({ spans: arg('spans'), rounds: arg('rounds') });
  process.stdout.write(JSON.stringify(r) + '\n');
}
