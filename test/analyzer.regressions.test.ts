import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../analyzer/index.js';
import type { Report } from '../analyzer/index.js';
import { createRng } from '../analyzer/stats/index.js';
import { openStore } from '../store/index.js';
import type { DuckDbStore } from '../store/index.js';
import { DAY_NS, FIXED_NOW, FIXED_NOW_NS, generateSpans, HOUR_NS, writeAll } from './analyzerFixtures.js';
import type { ScopeSpec } from './analyzerFixtures.js';

/**
 * Validation on generated data with known injected regressions (issue 5 "Done when"):
 * 60 scopes × 8 days × 20 spans/hour (≈ 230k spans). 10 latency steps (+20 % … +100 %),
 * 8 error-rate jumps (+6 … +12 points over a 1–3 % base), 6 slow latency drifts (linear, reaching
 * +30 … +60 % at the end of the window over 48–72 h), 36 clean scopes. Steps start 16–40 h before
 * the end of the 24 h window (so at least ~60 % of the window is affected). The analyzer runs with
 * its defaults: window 24h, baseline 7d.
 */
type Kind = 'latency' | 'error' | 'drift' | 'clean';
interface Injected {
  spec: ScopeSpec;
  kind: Kind;
  startNs: bigint;
}

const rng = createRng(20250310);
const injected: Injected[] = [];
const between = (lo: number, hi: number): number => lo + (hi - lo) * rng.next();
for (let i = 0; i < 60; i++) {
  const kind: Kind = i < 10 ? 'latency' : i < 18 ? 'error' : i < 24 ? 'drift' : 'clean';
  const base: ScopeSpec = {
    agent: `agent${String(i).padStart(2, '0')}`,
    operation: ['chat', 'execute_tool', 'invoke_agent'][i % 3],
    model: ['gpt-4o', 'claude-3-5', 'llama-3'][i % 3],
    medianMs: Math.round(between(50, 3000)),
    sigma: between(0.2, 0.45),
    errorRate: between(0.01, 0.03),
    rate: 20,
  };
  let startNs = FIXED_NOW_NS - BigInt(Math.round(between(16, 40) * 3600)) * 1_000_000_000n;
  if (kind === 'latency') {
    const factor = [1.2, 1.3, 1.5, 2.0][i % 4];
    base.latencyFactor = (t) => (t >= startNs ? factor : 1);
  } else if (kind === 'error') {
    const jump = between(0.06, 0.12);
    const rate = base.errorRate;
    base.errorRateAt = (t) => (t >= startNs ? rate + jump : rate);
  } else if (kind === 'drift') {
    const top = between(0.3, 0.6);
    startNs = FIXED_NOW_NS - BigInt(Math.round(between(48, 72))) * HOUR_NS;
    const len = Number(FIXED_NOW_NS - startNs);
    base.latencyFactor = (t) => (t >= startNs ? 1 + (top * Number(t - startNs)) / len : 1);
  }
  injected.push({ spec: base, kind, startNs });
}

describe('detectRegressions on injected data', () => {
  let store: DuckDbStore;
  let report: Report;
  beforeAll(async () => {
    store = await openStore(':memory:');
    const t0 = performance.now();
    const spans = generateSpans(injected.map((s) => s.spec), FIXED_NOW_NS - 8n * DAY_NS, FIXED_NOW_NS, 11);
    await writeAll(store, spans);
    const t1 = performance.now();
    report = await analyze({ store, now: FIXED_NOW, since: '24h', baseline: '7d' });
    console.log(`${spans.length} spans generated+written in ${((t1 - t0) / 1000).toFixed(1)} s; report in ${((performance.now() - t1) / 1000).toFixed(2)} s`);
  });
  afterAll(() => store.close());

  it('finds every injected regression, dated within one window, with few false alerts', () => {
    const windowMs = 24 * 3_600_000;
    let tp = 0;
    let worstDatingH = 0;
    let fp = 0;
    const misses: string[] = [];
    for (const s of injected) {
      const found = report.regressions.filter((r) => r.scope.agent === s.spec.agent);
      if (s.kind === 'clean') {
        if (found.length > 0) fp++;
        continue;
      }
      const metric = s.kind === 'error' ? 'error_rate' : 'latency_p95_ms';
      const hit = found.find((r) => r.metric === metric);
      const startMs = Number(s.startNs / 1_000_000n);
      const datingMs = hit?.change_point_at ? Math.abs(Date.parse(hit.change_point_at) - startMs) : Infinity;
      if (datingMs <= windowMs) {
        tp++;
        worstDatingH = Math.max(worstDatingH, datingMs / 3_600_000);
      }
      else misses.push(`${s.kind} ${s.spec.agent}: ${hit ? `dated ${hit.change_point_at} vs ${new Date(startMs).toISOString()}` : 'not found'}`);
      if (found.some((r) => r.metric !== metric)) fp++;
    }
    const positives = injected.filter((s) => s.kind !== 'clean').length;
    const clean = injected.length - positives;
    const precision = tp / Math.max(1, tp + fp);
    const recall = tp / positives;
    const cleanFlagged = report.regressions.filter((r) => injected.find((s) => s.spec.agent === r.scope.agent)?.kind === 'clean').length;
    console.log(`regressions: precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)} (tp ${tp}, fp ${fp}, injected ${positives}, clean ${clean}, clean flagged ${cleanFlagged}; worst dating error ${worstDatingH.toFixed(1)} h)`);
    if (misses.length > 0) console.log(misses.join('\n'));
    expect(misses).toEqual([]);
    expect(cleanFlagged / clean).toBeLessThan(1 / 20);
    expect(precision).toBeGreaterThanOrEqual(0.9);
    expect(recall).toBeGreaterThanOrEqual(0.9);
  });
});
