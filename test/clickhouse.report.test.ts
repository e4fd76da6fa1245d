import { agentGraph, sessions } from '../dashboard/multiAgentApi.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../analyzer/analyze.js';
import { computeMetrics } from '../analyzer/metrics.js';
import { DashboardApi } from '../dashboard/DashboardApi.js';
import type { Report } from '../analyzer/reportSchema.js';
import { countFeatures, loadExecutionRecords, minePatterns } from '../analyzer/learning/index.js';
import { ClickHouseStore } from '../store/clickhouse/ClickHouseStore.js';
import { DuckDbTraceStore } from '../store/clickhouse/DuckDbTraceStore.js';
import { fromTraceStore } from '../analyzer/learning/db.js';
import { DuckDbStore } from '../store/DuckDbStore.js';
import { SKETCH_RELATIVE_ACCURACY } from '../store/sketch.js';
import { canonical, diff, fleetSpans, chdbMissing, openChdbOrSkip, writeSorted } from './clickhouseHelpers.js';

const NOW = new Date(Date.UTC(2025, 2, 10, 12, 0, 0));
let ch: ClickHouseStore | null = null;
let duck: DuckDbTraceStore;
let spanCount = 0;

beforeAll(async () => {
  const ex = await openChdbOrSkip('clickhouse.report');
  if (!ex) return;
  ch = await ClickHouseStore.open(ex, { ttlDays: 0, rollupTtlDays: 0 });
  duck = new DuckDbTraceStore(await DuckDbStore.open(':memory:'));
  const { spans } = await fleetSpans({ tasks: 600, seed: 42, nowMs: NOW.getTime() });
  spanCount = spans.length;
  await writeSorted(duck, spans);
  await writeSorted(ch, spans);
}, 120_000);

afterAll(async () => {
  await ch?.close();
  await duck?.close();
});

/** Sorts `agents` lists: a trace's distinct agents come in no particular order on either engine. */
const unordered = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(unordered)
  : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === 'agents' && Array.isArray(x) ? [...x].sort() : unordered(x)]))
  : v;

/** Relative gap of a "path: x ≠ y" difference. */
const relGap = (m: string): number => {
  const [, x, y] = /: (\S+) ≠ (\S+)$/.exec(m) ?? [];
  return Math.abs(Number(x) - Number(y)) / Math.max(Math.abs(Number(x)), Math.abs(Number(y)), 1e-12);
};

const run = (source: DuckDbTraceStore | ClickHouseStore): Promise<Report> => analyze({ source, now: NOW, since: '24h', baseline: '6d', persist: false, onWarning: () => undefined });

describe.skipIf(chdbMissing !== null)('analyzer report: DuckDB vs ClickHouse on the demo fleet', () => {
  it('agrees field by field: counts exactly, every other number to 1e-9', async () => {
    if (!ch) return;
    const [a, b] = await Promise.all([run(duck), run(ch)]);
    expect(a.metrics.reduce((s, m) => s + m.count, 0)).toBeGreaterThan(spanCount * 0.1);
    expect(a.regressions.length + a.alerts.length).toBeGreaterThan(0); // the demo's incidents are found
    // Agent paths are built at ingest on DuckDB only (docs/scale-out.md): on ClickHouse an agent's
    // subtree cost is its own. Self cost and calls agree; the order (by subtree cost) does not.
    const selfCost = (r: typeof a) => Object.fromEntries((r.costs?.by_agent ?? []).map((x) => [x.agent, [x.self_usd, x.calls]]));
    expect(diff(selfCost(b), selfCost(a), 'self', 1e-9)).toEqual([]);
    expect(b.costs?.by_agent.length).toBeGreaterThan(0);
    for (const x of b.costs?.by_agent ?? []) expect(x.subtree_usd, x.agent).toBe(x.self_usd);
    const withoutAgentCosts = (r: typeof a) => ({ ...r, costs: r.costs && { ...r.costs, by_agent: [] } });
    // Exact-rank percentiles on both engines, so even p50/p95/p99 agree exactly here.
    expect(diff(canonical(withoutAgentCosts(b)), canonical(withoutAgentCosts(a)), 'report', 1e-9)).toEqual([]);
    for (let i = 0; i < a.metrics.length; i++) {
      expect(b.metrics[i].count).toBe(a.metrics[i].count);
      expect(b.metrics[i].tokens).toBe(a.metrics[i].tokens);
    }
    expect(b.teams.map((t) => t.runs)).toEqual(a.teams.map((t) => t.runs));
    expect(b.recovery.attempts).toBe(a.recovery.attempts);
  });

  it('percentiles from ClickHouse rollups are within the sketch error of DuckDB exact percentiles', async () => {
    if (!ch) return;
    const window = { fromNs: BigInt(NOW.getTime() - 86_400_000) * 1_000_000n, toNs: BigInt(NOW.getTime()) * 1_000_000n };
    const exact = await computeMetrics(duck, window);
    const sketch = await computeMetrics(ch, window, { from: 'rollup' });
    let compared = 0;
    for (const e of exact) {
      const s = sketch.find((x) => x.agent === e.agent && x.operation === e.operation && x.model === e.model);
      if (!s || s.count !== e.count) continue; // rollups also hold recovery-policy spans; compare scopes without them
      for (const k of ['p50_ms', 'p95_ms', 'p99_ms'] as const) {
        const x = e[k]!;
        const y = s[k]!;
        expect(Math.abs(y - x), `${e.agent}/${e.operation}/${e.model} ${k}`).toBeLessThanOrEqual(SKETCH_RELATIVE_ACCURACY * x + 1e-3);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(30);
  });

  it('serves the same dashboard API answers from ClickHouse rollups as from DuckDB rollups', async () => {
    if (!ch) return;
    const api = (store: DuckDbTraceStore | ClickHouseStore) => new DashboardApi(store, { now: () => NOW.getTime() });
    const [a, b] = [api(duck), api(ch)];
    const q = { range: '7d' };
    for (const panel of ['summary', 'agents', 'timeseries', 'errors', 'teams', 'costs', 'recovery', 'traces'] as const) {
      const [x, y] = await Promise.all([a[panel](q), b[panel](q)]);
      // Sketch-derived latencies may sit one log bucket apart (≤ 2 %); everything else is equal.
      const d = diff(unordered(canonical(y)), unordered(canonical(x)), panel, 1e-9).filter((m) => !/(p50|p95|p99)\w*: /.test(m) || relGap(m) > 0.021);
      expect(d.filter((m) => !/span_name/.test(m)), panel).toEqual([]);
    }
    // Sessions agree; the agent graph needs agent paths, built at ingest on DuckDB only (docs/scale-out.md): it runs there.
    const [sx, sy] = await Promise.all([sessions(a, q), sessions(b, q)]);
    expect(sx.sessions.length).toBeGreaterThan(0);
    expect(diff(canonical(sy), canonical(sx), 'sessions', 1e-9)).toEqual([]);
    expect((await agentGraph(b, q)).nodes).toBeDefined();
    const t = (await a.traces(q)) as { traces?: { trace_id: string }[] } | { trace_id: string }[];
    const first = Array.isArray(t) ? t[0] : t.traces?.[0];
    if (first) expect(canonical(await b.trace(first.trace_id))).toEqual(canonical(await a.trace(first.trace_id)));
  });

  it('mines the same patterns from execution records read through either backend', async () => {
    if (!ch) return;
    const mine = async (store: DuckDbTraceStore | ClickHouseStore) => {
      const records = await loadExecutionRecords(fromTraceStore(store));
      const { features, bases } = countFeatures(records);
      return { records: records.length, patterns: minePatterns(features, bases) };
    };
    const [a, b] = await Promise.all([mine(duck), mine(ch)]);
    expect(a.records).toBe(600);
    expect(diff(canonical(b), canonical(a), 'learning', 1e-9)).toEqual([]);
  });
});
