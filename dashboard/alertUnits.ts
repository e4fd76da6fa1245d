import { alertFingerprint } from '../analyzer/alerts/fingerprint.js';
import { ThresholdMetricSchema } from '../analyzer/alerts/rules.js';
import { ForecastMetricSchema } from '../analyzer/reportSchema.js';

/** How the page formats a metric's value: milliseconds, a 0–1 ratio, dollars, minutes or a plain number. */
export type MetricUnit = 'ms' | 'ratio' | 'usd' | 'min' | 'number';

/** Every metric an alert rule can watch (threshold, regression, forecast and absence rules). */
const METRICS = [...new Set<string>([...ThresholdMetricSchema.options, ...ForecastMetricSchema.options, 'latency_p95_ms', 'error_rate', 'absence'])];

/** The unit of a rule or forecast metric. */
export function metricUnit(metric: string | null): MetricUnit {
  if (metric === null) return 'number';
  if (metric.endsWith('_ms')) return 'ms';
  if (metric === 'error_rate' || metric === 'success_rate') return 'ratio';
  if (metric === 'cost_usd') return 'usd';
  if (metric === 'absence') return 'min';
  return 'number';
}

/**
 * The metric an alert state watches. `alert_state` does not store it, but its fingerprint is a
 * hash of (rule, metric, scope), so the one candidate metric that reproduces the fingerprint is it.
 */
export function alertMetric(fingerprint: string, rule: string, scope: Record<string, string | null>): string | null {
  for (const m of METRICS) if (alertFingerprint(rule, m, scope) === fingerprint) return m;
  return null;
}
