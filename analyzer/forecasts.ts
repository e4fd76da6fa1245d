import type { ForecastRule } from './alerts/rules.js';
import { scopeMatches } from './alerts/rules.js';
import type { ForecastEntry, ForecastMetric, MetricRow } from './reportSchema.js';
import { round, scopeKey } from './rows.js';
import type { ScopeSeries, SeriesSet } from './series.js';
import { errorRateSeries, filledSlice } from './series.js';
import { firstCrossing, holtForecast, linearTrendForecast } from './stats/index.js';
import { formatDuration, nsToIso, parseDuration } from './window.js';

const FORECAST_METRICS: readonly ForecastMetric[] = ['p95_ms', 'error_rate', 'cost_usd', 'queue_depth_p95'];

export interface ForecastInputs {
  series: SeriesSet;
  /** Buckets of the series that lie in the current window (the fit uses the last `fitBuckets`). */
  fitBuckets: number;
  /** Baseline metrics, for default thresholds. */
  baselineMetrics: MetricRow[];
  rules: ForecastRule[];
  /** Horizon when no rule sets one. */
  defaultHorizon?: string;
  /** Fewest observed buckets to fit a trend. */
  minPoints?: number;
}

function values(s: ScopeSeries, metric: ForecastMetric): Float64Array {
  switch (metric) {
    case 'p95_ms':
      return s.p95Ms;
    case 'error_rate':
      return errorRateSeries(s);
    case 'cost_usd':
      return s.costUsd;
    case 'queue_depth_p95':
      return s.queueDepthP95;
  }
}

/**
 * Default threshold when a rule gives none: 1.5× the baseline value (the regression detector's
 * "critical" level), and for error rate at least 2 points above baseline so a near-zero rate
 * does not alert on one extra error. Cost per bucket uses the baseline's mean cost per bucket.
 */
function defaultThreshold(metric: ForecastMetric, base: MetricRow | undefined, baseBuckets: number): number | null {
  if (!base) return null;
  switch (metric) {
    case 'p95_ms':
      return base.p95_ms && base.p95_ms > 0 ? 1.5 * base.p95_ms : null;
    case 'error_rate': {
      const rate = 1 - base.success_rate;
      return Math.max(1.5 * rate, rate + 0.02);
    }
    case 'cost_usd':
      return base.cost_usd > 0 && baseBuckets > 0 ? (1.5 * base.cost_usd) / baseBuckets : null;
    case 'queue_depth_p95':
      return base.queue_depth_p95 && base.queue_depth_p95 > 0 ? 1.5 * base.queue_depth_p95 : null;
  }
}

/**
 * Predictive alerts: Holt's linear trend (with 95 % intervals) fitted to each scope's per-bucket
 * series over the current window; a forecast is reported when its point forecast first reaches
 * the threshold within the horizon from a level still below it on a rising trend, and an OLS
 * trend agrees (rising, and also crossing within the horizon) — two trend models agreeing keeps one noisy
 * smoothing fit from raising an alert. `eta` is the end of the first bucket forecast at or above the threshold.
 */
export function computeForecasts(inputs: ForecastInputs): ForecastEntry[] {
  const { series, rules } = inputs;
  const minPoints = inputs.minPoints ?? 12;
  const fitFrom = Math.max(0, series.buckets - inputs.fitBuckets);
  const baseByScope = new Map(inputs.baselineMetrics.map((m) => [scopeKey(m), m]));
  const baseBuckets = fitFrom; // buckets before the window ≈ the baseline's length in buckets
  const out: ForecastEntry[] = [];
  for (const s of series.byScope.values()) {
    for (const metric of FORECAST_METRICS) {
      const applicable = rules.filter((r) => r.metric === metric && scopeMatches(r.scope, s.scope));
      if (applicable.length === 0) continue;
      const { values: ys, observed } = filledSlice(values(s, metric), fitFrom, series.buckets);
      if (observed < minPoints || !ys.every(Number.isFinite)) continue;
      for (const rule of applicable) {
        const threshold = rule.threshold ?? defaultThreshold(metric, baseByScope.get(scopeKey(s.scope)), baseBuckets);
        if (threshold === null || !(ys[ys.length - 1] < threshold)) continue;
        const horizonBuckets = Math.max(1, Number(parseDuration(rule.horizon ?? inputs.defaultHorizon ?? '24h') / series.bucketNs));
        const holt = holtForecast(ys, { horizon: horizonBuckets });
        const linear = linearTrendForecast(ys, { horizon: horizonBuckets });
        // A crossing must come from a rising trend, not from a level already at the threshold
        // (that is a threshold rule's job) or from noise around it.
        if (!(holt.slope > 0 && linear.slope > 0 && holt.level0 < threshold)) continue;
        const h = firstCrossing(holt, threshold);
        if (h === null || firstCrossing(linear, threshold) === null) continue;
        const last = holt.mean.length - 1;
        out.push({
          metric,
          scope: s.scope,
          horizon: formatDuration(BigInt(horizonBuckets) * series.bucketNs),
          predicted: round(holt.mean[last], 6),
          threshold: round(threshold, 6),
          // The end of the first bucket whose forecast reaches the threshold.
          eta: nsToIso(series.bucketStart(series.buckets + h)),
          lower: Number.isFinite(holt.lower[last]) ? round(holt.lower[last], 6) : null,
          upper: Number.isFinite(holt.upper[last]) ? round(holt.upper[last], 6) : null,
          method: 'holt',
        });
      }
    }
  }
  return out;
}
