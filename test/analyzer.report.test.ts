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

describe('analyze: sessions', () => {
  it('lists the sessions of the window most expensive first, with requests, tools, failures and cost from every span of the session', async () => {
    const store = await openStore(':memory:');
    try {
      const at = FIXED_NOW_NS - 2n * HOUR_NS;
      let i = 0;
      const span = (session: string | null, attributes: Record<string, string | number>, error = false) => {
        i++;
        return {
          traceId: `5e55${session ?? 'none'}`.padEnd(32, '0').slice(0, 32).replace(/[^0-9a-f]/g, 'a'), spanId: i.toString(16).padStart(16, '0'), parentSpanId: null,
          name: 'x', kind: 'internal' as const, startNs: at + BigInt(i) * 1_000_000_000n, endNs: at + BigInt(i) * 1_000_000_000n + 500_000_000n,
          statusCode: error ? ('ERROR' as const) : ('OK' as const), statusMessage: null,
          attributes: session === null ? attributes : { 'gen_ai.conversation.id': session, ...attributes }, resource: { 'service.name': 'svc' },
          scopeName: null, scopeVersion: null, events: [], links: [],
        };
      };
      await store.writeBatch([
        span('cheap', { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'm', 'agentpulse.cost.usd': 0.01, 'gen_ai.usage.input_tokens': 10 }),
        span('dear', { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'm', 'agentpulse.cost.usd': 0.5, 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.output_tokens': 5 }),
        span('dear', { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'm', 'agentpulse.cost.usd': 0.25 }, true),
        span('dear', { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'Bash', 'gen_ai.agent.name': 'coder' }),
        span(null, { 'gen_ai.operation.name': 'chat', 'agentpulse.cost.usd': 9 }),
      ]);
      const r = await analyze({ store, since: '24h', baseline: '7d', now: FIXED_NOW, persist: false });
      expect(r.sessions).toEqual([
        { session_id: 'dear', service_name: 'svc', agents: 1, model_requests: 2, tool_calls: 1, errors: 1, tokens: 105, cost_usd: 0.75, span_ms: 2500 },
        { session_id: 'cheap', service_name: 'svc', agents: 0, model_requests: 1, tool_calls: 0, errors: 0, tokens: 10, cost_usd: 0.01, span_ms: 500 },
      ]);
      expect(renderMarkdown(r)).toMatch(/## Sessions[\s\S]*\| dear \| svc \| 2 \| 1 \| 1 \| 105 \| \$0\.75 \|/);
    } finally {
      await store.close();
    }
  });
});
