import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze, analyzeRun, computeMetrics, renderMarkdown, reportJsonSchema, ReportSchema, sourceFromStore } from '../analyzer/index.js';
import { checkJsonSchema } from './fixtures/jsonSchemaCheck.js';
import type { Report } from '../analyzer/index.js';
import { openStore } from '../store/index.js';
import type { DuckDbStore } from '../store/index.js';
import { DAY_NS, FIXED_NOW, FIXED_NOW_NS, generateSpans, HOUR_NS, writeAll } from './analyzerFixtures.js';
import type { ScopeSpec } from './analyzerFixtures.js';

const scopes: ScopeSpec[] = [
  { agent: 'planner', operation: 'invoke_agent', model: 'gpt-4o', medianMs: 800, errorRate: 0.02, rate: 30, team: ['coder', 'planner'] },
  { agent: 'coder', operation: 'chat', model: 'claude-3-5', medianMs: 1500, errorRate: 0.01, rate: 30, latencyFactor: (t) => (t >= FIXED_NOW_NS - 20n * HOUR_NS ? 1.6 : 1) },
  { agent: 'search', operation: 'execute_tool', model: 'none', medianMs: 120, errorRate: 0.01, rate: 30, errorRateAt: (t) => (t >= FIXED_NOW_NS - 20n * HOUR_NS ? 0.12 : 0.01) },
];

describe('analyze', () => {
  let store: DuckDbStore;
  let report: Report;
  beforeAll(async () => {
    store = await openStore(':memory:');
    await writeAll(store, generateSpans(scopes, FIXED_NOW_NS - 8n * DAY_NS, FIXED_NOW_NS, 7));
    report = await analyze({ store, since: '24h', baseline: '7d', now: FIXED_NOW });
  });
  afterAll(() => store.close());

  it('produces a report that validates against docs/report.schema.json', () => {
    const schema = JSON.parse(readFileSync(new URL('../docs/report.schema.json', import.meta.url), 'utf8'));
    expect(schema).toEqual(reportJsonSchema());
    expect(checkJsonSchema(schema, JSON.parse(JSON.stringify(report)))).toEqual([]);
    expect(() => ReportSchema.parse(report)).not.toThrow();
  });

  it('rejects a report that breaks the schema', () => {
    const schema = reportJsonSchema();
    const bad = JSON.parse(JSON.stringify(report));
    bad.metrics[0].count = 'many';
    delete bad.recovery;
    expect(checkJsonSchema(schema, bad).length).toBeGreaterThanOrEqual(2);
  });

  it('reports per-scope metrics with exact percentiles', async () => {
    const planner = report.metrics.find((m) => m.agent === 'planner')!;
    expect(planner.count).toBe(24 * 30);
    const rows = await store.query(
      `SELECT quantile_disc(duration_ns, 0.95) / 1e6 AS p95 FROM spans WHERE agent_name = 'planner' AND start_ns >= $f`,
      { f: (FIXED_NOW_NS - DAY_NS).toString() },
    );
    expect(planner.p95_ms).toBeCloseTo(Number(rows[0].p95), 3);
    expect(planner.tokens).toBeGreaterThan(0);
    expect(report.teams[0].team_signature).toBe('coder+planner');
  });

  it('finds the injected latency and error-rate regressions and dates them', () => {
    const lat = report.regressions.find((r) => r.metric === 'latency_p95_ms' && r.scope.agent === 'coder');
    const err = report.regressions.find((r) => r.metric === 'error_rate' && r.scope.agent === 'search');
    expect(lat?.severity).toBe('critical');
    expect(err).toBeDefined();
    const injected = Number((FIXED_NOW_NS - 20n * HOUR_NS) / 1_000_000n);
    for (const r of [lat!, err!]) expect(Math.abs(Date.parse(r.change_point_at!) - injected)).toBeLessThanOrEqual(24 * 3_600_000);
    expect(report.regressions.filter((r) => r.scope.agent === 'planner')).toEqual([]);
  });

  it('agrees with the rollup-based metrics within the sketch error', async () => {
    const window = { fromNs: FIXED_NOW_NS - DAY_NS, toNs: FIXED_NOW_NS };
    const exact = report.metrics;
    const fromRollup = await computeMetrics(sourceFromStore(store), window, { from: 'rollup' });
    for (const m of exact) {
      const r = fromRollup.find((x) => x.agent === m.agent && x.operation === m.operation && x.model === m.model)!;
      expect(r.count).toBe(m.count);
      expect(r.success_rate).toBeCloseTo(m.success_rate, 6);
      for (const k of ['p50_ms', 'p95_ms', 'p99_ms'] as const) expect(Math.abs(r[k]! - m[k]!) / m[k]!).toBeLessThanOrEqual(0.01);
      expect(r.tokens).toBe(m.tokens);
    }
  });

  it('raises alerts for critical regressions and persists their state', async () => {
    expect(report.alerts.some((a) => a.state === 'firing' && a.scope.agent === 'coder')).toBe(true);
    const rows = await store.query(`SELECT count(*) AS n FROM alert_state WHERE state = 'firing'`);
    expect(Number(rows[0].n)).toBeGreaterThan(0);
  });

  it('renders Markdown a person can read', () => {
    const md = renderMarkdown(report);
    expect(md).toContain('## Regressions');
    expect(md).toContain('coder');
  });

  it('resolves alerts when the condition is gone on a later run', async () => {
    const later = await analyzeRun({ store, since: '24h', baseline: '7d', now: FIXED_NOW, rules: { rules: [], sinks: [] } });
    expect(later.report.alerts.every((a) => a.state === 'resolved')).toBe(true);
    const ev = await store.query(`SELECT count(*) AS n FROM alert_events WHERE to_state = 'resolved'`);
    expect(Number(ev[0].n)).toBeGreaterThan(0);
  });
});
