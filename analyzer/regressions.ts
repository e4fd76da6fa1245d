import type { AnalyzerSource } from './AnalyzerSource.js';
import { ns } from './AnalyzerSource.js';
import { dateChange } from './changePointDating.js';
import type { RegressionPolicy } from './regressionPolicy.js';
import { DEFAULT_REGRESSION_POLICY, errorRateSeverity, latencySeverity } from './regressionPolicy.js';
import type { Regression, Scope } from './reportSchema.js';
import { num, numberList, round, scopeKey, strOrNull } from './rows.js';
import type { SeriesSet } from './series.js';
import { errorRateSeries, filledSlice } from './series.js';
import { bhQValues, mannWhitneyU, quantileDisc, sortedFinite, twoProportionZTest } from './stats/index.js';
import type { TimeRange } from './window.js';
import { nsToIso } from './window.js';

interface Candidate {
  metric: Regression['metric'];
  scope: Scope;
  baseline: number;
  current: number;
  changePct: number;
  pValue: number;
  effect: number;
  nBase: number;
  nCur: number;
  /** Passes the practical-significance gates (effect and change minimums), independent of p. */
  practical: boolean;
  severity: Regression['severity'];
  /** Levels the change-point dating compares against. */
  dating: { series: 'p50' | 'error_rate'; baseLevel: number; curLevel: number };
}

export interface RegressionInputs {
  window: TimeRange;
  baseline: TimeRange;
  series: SeriesSet;
  policy?: Partial<RegressionPolicy>;
}

/**
 * Baseline-vs-window regressions per agent × operation × model:
 * latency by Mann–Whitney U on per-scope samples (effect: Cliff's delta), error rate by the pooled
 * two-proportion z-test; q-values by Benjamini–Hochberg over every test run (both metrics, all
 * scopes); reported when q ≤ fdr, the minimum samples are met, the change is a worsening and it is
 * practically large (see RegressionPolicy). Each is dated by change-point detection on its series.
 */
export async function detectRegressions(source: AnalyzerSource, inputs: RegressionInputs): Promise<Regression[]> {
  const policy = { ...DEFAULT_REGRESSION_POLICY, ...inputs.policy };
  const { window, baseline, series } = inputs;
  const params = {
    base_from_ns: ns(baseline.fromNs),
    base_to_ns: ns(baseline.toNs),
    cur_from_ns: ns(window.fromNs),
    cur_to_ns: ns(window.toNs),
  };
  const [sampleRows, countRows] = await Promise.all([
    source.named('analyzer_latency_samples', { ...params, cap: policy.latencySampleCap }),
    source.named('analyzer_scope_windows', params),
  ]);

  const candidates: Candidate[] = [];
  const samples = new Map<string, { scope: Scope; baseline?: number[]; current?: number[] }>();
  for (const r of sampleRows) {
    const scope = { agent: strOrNull(r.agent), operation: strOrNull(r.operation), model: strOrNull(r.model) };
    const key = scopeKey(scope);
    const entry = samples.get(key) ?? { scope };
    entry[r.win === 'current' ? 'current' : 'baseline'] = numberList(r.samples);
    samples.set(key, entry);
  }
  for (const { scope, baseline: b, current: c } of samples.values()) {
    if (!b || !c || b.length < policy.minLatencySamples || c.length < policy.minLatencySamples) continue;
    const mw = mannWhitneyU(c, b, { hodgesLehmann: false });
    const bs = sortedFinite(b);
    const cs = sortedFinite(c);
    const b50 = quantileDisc(bs, 0.5);
    const c50 = quantileDisc(cs, 0.5);
    const b95 = quantileDisc(bs, 0.95);
    const c95 = quantileDisc(cs, 0.95);
    const ch50 = b50 > 0 ? (c50 - b50) / b50 : 0;
    const ch95 = b95 > 0 ? (c95 - b95) / b95 : 0;
    const change = Math.max(ch50, ch95);
    candidates.push({
      metric: 'latency_p95_ms',
      scope,
      baseline: b95,
      current: c95,
      changePct: ch95 * 100,
      pValue: mw.pValue,
      effect: mw.effectSize,
      nBase: b.length,
      nCur: c.length,
      practical: mw.effectSize >= policy.minEffectSize && change >= policy.minLatencyChange,
      severity: latencySeverity(change, mw.effectSize),
      dating: { series: 'p50', baseLevel: b50, curLevel: c50 },
    });
  }

  for (const r of countRows) {
    const scope = { agent: strOrNull(r.agent), operation: strOrNull(r.operation), model: strOrNull(r.model) };
    const bn = num(r.base_n);
    const be = num(r.base_errors);
    const cn = num(r.cur_n);
    const ce = num(r.cur_errors);
    if (bn < policy.minRateSamples || cn < policy.minRateSamples || be + ce < policy.minTotalErrors) continue;
    const t = twoProportionZTest(ce, cn, be, bn);
    // A zero baseline rate is floored at half an error so the relative change stays finite.
    const baseRate = Math.max(be / bn, 0.5 / bn);
    const relative = (t.p1 - t.p2) / baseRate;
    candidates.push({
      metric: 'error_rate',
      scope,
      baseline: t.p2,
      current: t.p1,
      changePct: relative * 100,
      pValue: t.pValue,
      effect: t.diff,
      nBase: bn,
      nCur: cn,
      practical: t.diff >= policy.minRateDiff && relative >= policy.minRateChange,
      severity: errorRateSeverity(relative, t.diff),
      dating: { series: 'error_rate', baseLevel: t.p2, curLevel: t.p1 },
    });
  }

  const q = bhQValues(candidates.map((c) => c.pValue));
  const out: Regression[] = [];
  candidates.forEach((c, i) => {
    if (!(q[i] <= policy.fdr) || !c.practical) return;
    out.push({
      metric: c.metric,
      scope: c.scope,
      baseline: round(c.baseline, 6),
      current: round(c.current, 6),
      change_pct: round(c.changePct, 2),
      p_value: c.pValue,
      q_value: Math.min(1, q[i]),
      change_point_at: changePointAt(series, c),
      severity: c.severity,
      effect_size: round(c.effect, 4),
      samples: { baseline: c.nBase, current: c.nCur },
    });
  });
  out.sort((a, b) => sevOrder(b) - sevOrder(a) || a.q_value - b.q_value);
  return out;
}

const sevOrder = (r: Regression): number => ({ info: 0, warning: 1, critical: 2 })[r.severity];

function changePointAt(series: SeriesSet, c: Candidate): string | null {
  const s = series.byScope.get(scopeKey(c.scope));
  if (!s) return null;
  const raw = c.dating.series === 'p50' ? s.p50Ms : errorRateSeries(s);
  const { values, observed } = filledSlice(raw, 0, series.buckets);
  if (observed < 4) return null;
  const idx = dateChange(values, c.dating.baseLevel, c.dating.curLevel);
  return idx === null ? null : nsToIso(series.bucketStart(idx));
}
