import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  advanceAlerts, alertFingerprint, analyzeRun, computeForecasts, dateChange, loadRulesFile, parseDuration, parseRulesConfig,
  pendingNotifications, renderMarkdown, resolveWindows, scopeMatches,
} from '../analyzer/index.js';
import type { ActiveCondition, ForecastRule, Report, SeriesSet, StoredAlert } from '../analyzer/index.js';
import { inlineParams } from './fixtures/inlineParams.js';
import { openStore } from '../store/index.js';
import { DAY_NS, FIXED_NOW, FIXED_NOW_NS, generateSpans, HOUR_NS, writeAll } from './analyzerFixtures.js';

const cond = (over: Partial<ActiveCondition> = {}): ActiveCondition => ({
  fingerprint: 'fp1', rule: 'r', severity: 'warning', scope: { agent: 'a' }, value: 2, threshold: 1, forMs: 0, summary: 's', ...over,
});

describe('advanceAlerts', () => {
  it('goes pending → firing after the for-duration, then resolved when the condition clears', () => {
    const t0 = 1_000_000;
    const a = advanceAlerts([], [cond({ forMs: 600_000 })], t0);
    expect(a.states[0].state).toBe('pending');
    const b = advanceAlerts(a.states, [cond({ forMs: 600_000 })], t0 + 300_000);
    expect(b.states[0].state).toBe('pending');
    expect(b.transitions).toEqual([]);
    const c = advanceAlerts(b.states, [cond({ forMs: 600_000 })], t0 + 600_000);
    expect(c.states[0].state).toBe('firing');
    expect(c.states[0].sinceMs).toBe(t0);
    const d = advanceAlerts(c.states, [], t0 + 900_000);
    expect(d.states[0].state).toBe('resolved');
    expect(d.transitions.map((t) => `${t.from}->${t.to}`)).toEqual(['firing->resolved']);
  });

  it('fires at once with no for-duration and records both transitions', () => {
    const r = advanceAlerts([], [cond()], 5);
    expect(r.states[0].state).toBe('firing');
    expect(r.transitions.map((t) => `${t.from}->${t.to}`)).toEqual(['null->pending', 'pending->firing']);
  });

  it('owes a notification until delivered, and again after the next state change', () => {
    const fired = advanceAlerts([], [cond()], 10).states;
    expect(pendingNotifications(fired)).toHaveLength(1);
    const delivered: StoredAlert[] = fired.map((a) => ({ ...a, lastNotifiedMs: 10 }));
    expect(pendingNotifications(advanceAlerts(delivered, [cond({ value: 3 })], 20).states)).toHaveLength(0);
    expect(pendingNotifications(advanceAlerts(delivered, [], 30).states)).toHaveLength(1);
  });

  it('dedups by fingerprint: same rule, metric and scope give the same one', () => {
    expect(alertFingerprint('r', 'm', { a: '1', b: null })).toBe(alertFingerprint('r', 'm', { b: null, a: '1' }));
    expect(alertFingerprint('r', 'm', { a: '1' })).not.toBe(alertFingerprint('r', 'm', { a: '2' }));
  });
});

describe('rules config', () => {
  it('reads YAML with defaults and validates it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ap-rules-'));
    try {
      const file = join(dir, 'rules.yaml');
      writeFileSync(file, `rules:\n  - name: slow\n    kind: threshold\n    metric: p95_ms\n    threshold: 2000\n    for: 30m\n    scope: { agent: "plan*" }\n  - name: quiet\n    kind: absence\n    for: 1h\nsinks: [stdout]\n`);
      const cfg = loadRulesFile(file);
      expect(cfg.rules[0]).toMatchObject({ kind: 'threshold', op: '>', severity: 'warning', for: '30m' });
      expect(cfg.rules[1]).toMatchObject({ kind: 'absence', severity: 'critical' });
      writeFileSync(file, `rules:\n  - name: x\n    kind: threshold\n    metric: p95\n    threshold: 1\n`);
      expect(() => loadRulesFile(file)).toThrow(/rules\.0\.metric/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects duplicate names and bad durations', () => {
    expect(() => parseRulesConfig({ rules: [{ name: 'a', kind: 'regression' }, { name: 'a', kind: 'regression' }] })).toThrow(/duplicate/);
    expect(() => parseRulesConfig({ rules: [{ name: 'a', kind: 'regression', for: 'soon' }] })).toThrow(/duration/);
  });

  it('matches scopes with * wildcards', () => {
    expect(scopeMatches({ agent: 'plan*' }, { agent: 'planner', operation: 'chat', model: null })).toBe(true);
    expect(scopeMatches({ model: 'gpt-*' }, { agent: 'planner', operation: 'chat', model: 'claude' })).toBe(false);
  });
});

describe('windows and params', () => {
  it('parses durations and baseline ranges', () => {
    expect(parseDuration('1d12h')).toBe(36n * HOUR_NS);
    expect(() => parseDuration('soon')).toThrow(/30m, 24h, 7d/);
    const w = resolveWindows({ now: FIXED_NOW, since: '24h', baseline: '2025-03-01T00:00Z..2025-03-08T00:00Z' });
    expect(w.baseline.toNs - w.baseline.fromNs).toBe(7n * DAY_NS);
    expect(() => resolveWindows({ now: FIXED_NOW, since: '24h', baseline: '2025-03-08T00:00Z..2025-03-01T00:00Z' })).toThrow(/empty/);
  });

  it('inlines parameters as escaped literals only outside strings and comments', () => {
    expect(inlineParams(`SELECT '$a', $a, $b -- $c\n`, { a: "it's", b: null })).toBe(`SELECT '$a', 'it''s', NULL -- $c\n`);
  });
});

describe('dateChange', () => {
  it('dates a step at its first shifted bucket and a ramp at its onset', () => {
    const step = Float64Array.from({ length: 100 }, (_, i) => (i >= 70 ? 130 : 100) + ((i * 7) % 5) - 2);
    expect(dateChange(step, 100, 130)).toBe(70);
    const ramp = Float64Array.from({ length: 100 }, (_, i) => 100 + (i >= 50 ? (i - 50) * 1 : 0) + ((i * 7) % 5) - 2);
    expect(Math.abs(dateChange(ramp, 100, 140)! - 50)).toBeLessThanOrEqual(4);
  });
});

describe('computeForecasts', () => {
  it('predicts when a rising p95 crosses its threshold, with an ETA inside the horizon', () => {
    const buckets = 48;
    const p95 = Float64Array.from({ length: buckets }, (_, i) => 100 + 5 * i + (i % 3));
    const nan = new Float64Array(buckets).fill(NaN);
    const series: SeriesSet = {
      range: { fromNs: FIXED_NOW_NS - 48n * HOUR_NS, toNs: FIXED_NOW_NS },
      bucketNs: HOUR_NS,
      buckets,
      byScope: new Map([['k', { scope: { agent: 'a', operation: 'o', model: 'm' }, count: new Float64Array(buckets).fill(10), errors: new Float64Array(buckets), p50Ms: nan, p95Ms: p95, costUsd: new Float64Array(buckets), queueDepthP95: nan }]]),
      bucketStart: (i) => FIXED_NOW_NS - 48n * HOUR_NS + BigInt(i) * HOUR_NS,
    };
    const rule = parseRulesConfig({ rules: [{ name: 'f', kind: 'forecast', metric: 'p95_ms', threshold: 400, horizon: '24h' }] }).rules[0] as ForecastRule;
    const [f] = computeForecasts({ series, fitBuckets: 48, baselineMetrics: [], rules: [rule] });
    // Last value ≈ 336; +5 per hour reaches 400 about 13 h later.
    const etaH = (Date.parse(f.eta!) - FIXED_NOW.getTime()) / 3_600_000;
    expect(etaH).toBeGreaterThan(10);
    expect(etaH).toBeLessThan(16);
    expect(f.predicted).toBeGreaterThan(400);
    expect(computeForecasts({ series, fitBuckets: 48, baselineMetrics: [], rules: [{ ...rule, threshold: 1000 }] })).toEqual([]);
  });
});

describe('analyzeRun', () => {
  it('runs incrementally from the last recorded position and raises absence alerts', async () => {
    const store = await openStore(':memory:');
    try {
      const spans = generateSpans([
        { agent: 'steady', operation: 'chat', model: 'm', medianMs: 100, errorRate: 0.01, rate: 10 },
        { agent: 'gone', operation: 'chat', model: 'm', medianMs: 100, errorRate: 0.01, rate: 10 },
      ], FIXED_NOW_NS - 3n * DAY_NS, FIXED_NOW_NS, 3);
      await writeAll(store, spans.filter((s) => !(s.attributes['gen_ai.agent.name'] === 'gone' && s.startNs >= FIXED_NOW_NS - 6n * HOUR_NS)));
      const rules = parseRulesConfig({ rules: [{ name: 'silence', kind: 'absence', for: '2h' }] });
      const first = await analyzeRun({ store, now: FIXED_NOW, since: '24h', baseline: '2d', rules });
      expect(first.persisted).toBe(true);
      expect(first.report.alerts.map((a) => [a.rule, a.scope.agent, a.state])).toEqual([['silence', 'gone', 'firing']]);
      const later = new Date(FIXED_NOW.getTime() + 3_600_000);
      const second = await analyzeRun({ store, now: later, since: '24h', baseline: '2d', rules, incremental: true });
      expect(second.report.window.from).toBe(FIXED_NOW.toISOString());
      const runs = await store.query('SELECT count(*) AS n FROM analyzer_runs');
      expect(runs[0].n).toBe(2);
    } finally {
      await store.close();
    }
  });

  it('calls extensions and keeps going when one fails', async () => {
    const store = await openStore(':memory:');
    const warnings: string[] = [];
    try {
      const report = (
        await analyzeRun({
          store, now: FIXED_NOW, persist: false, onWarning: (m) => warnings.push(m),
          extensions: [
            async () => ({ recommendations: [{ id: 'r1', kind: 'team', scope: { task_type: 'x' }, action: 'use coder+planner', rationale: 'higher success', expected_effect: { success_rate: 0.05 }, confidence: 0.9, bounded_by: 'max 10% traffic' }] }),
            async function broken() { throw new Error('nope'); },
          ],
        })
      ).report;
      expect(report.recommendations.map((r) => r.id)).toEqual(['r1']);
      expect(warnings[0]).toMatch(/broken failed/);
    } finally {
      await store.close();
    }
  });
});

describe('renderMarkdown', () => {
  it('matches the snapshot for a fixed report', () => {
    const report: Report = {
      version: 1,
      generated_at: '2025-03-10T12:00:00.000Z',
      window: { from: '2025-03-09T12:00:00.000Z', to: '2025-03-10T12:00:00.000Z' },
      baseline: { from: '2025-03-02T12:00:00.000Z', to: '2025-03-09T12:00:00.000Z' },
      metrics: [
        { agent: 'coder', operation: 'chat', model: 'claude', count: 720, success_rate: 0.99, error_rate_by_type: { timeout: 0.01 }, p50_ms: 1500, p95_ms: 3700, p99_ms: 4600, tokens: 107000, cost_usd: 0.72, context_size_p95: 1490, queue_depth_p95: 4 },
        { agent: 'search', operation: 'execute_tool', model: null, count: 300, success_rate: 0.9, error_rate_by_type: { rate_limit: 0.1 }, p50_ms: 8.5, p95_ms: 40, p99_ms: 90, tokens: 0, cost_usd: 0, context_size_p95: null, queue_depth_p95: null },
      ],
      teams: [{ team_signature: 'coder+planner', runs: 40, success_rate: 0.95, p95_ms: 9000, cost_usd: 1.5 }],
      regressions: [
        { metric: 'latency_p95_ms', scope: { agent: 'coder', operation: 'chat', model: 'claude' }, baseline: 2440, current: 3700, change_pct: 51.6, p_value: 1e-20, q_value: 2e-19, change_point_at: '2025-03-09T16:00:00.000Z', severity: 'critical', effect_size: 0.6, samples: { baseline: 2000, current: 720 } },
        { metric: 'error_rate', scope: { agent: 'search', operation: 'execute_tool', model: null }, baseline: 0.02, current: 0.1, change_pct: 400, p_value: 1e-8, q_value: 1e-7, change_point_at: null, severity: 'warning', effect_size: 0.08, samples: { baseline: 2100, current: 300 } },
      ],
      forecasts: [{ metric: 'p95_ms', scope: { agent: 'coder', operation: 'chat', model: 'claude' }, horizon: '1d', predicted: 4200, threshold: 4000, eta: '2025-03-11T02:00:00.000Z', lower: 3600, upper: 4800, method: 'holt' }],
      alerts: [{ rule: 'regression', severity: 'critical', state: 'firing', value: 3700, threshold: 2440, scope: { agent: 'coder', operation: 'chat', model: 'claude' }, since: '2025-03-10T12:00:00.000Z', fingerprint: '4949ece8142c3b40' }],
      patterns: [],
      recommendations: [],
      recovery: { attempts: 10, recovered: 8, success_rate: 0.8, by_strategy: { retry: { attempts: 10, recovered: 8, success_rate: 0.8 } } },
    };
    expect(renderMarkdown(report)).toMatchSnapshot();
  });
});
