import type { Severity } from './reportSchema.js';

/**
 * Thresholds of the regression detector, with the reasons in docs/analyzer.md.
 * Kept in one object so callers (and tests) can see and override them.
 */
export interface RegressionPolicy {
  /** Benjamini–Hochberg false discovery rate across every test in a run. */
  fdr: number;
  /** Minimum spans per window for the latency rank test. */
  minLatencySamples: number;
  /** Latency samples per scope and window at most (deterministic hash sampling above it). */
  latencySampleCap: number;
  /** Minimum spans per window for the error-rate test. */
  minRateSamples: number;
  /** Minimum errors in both windows together (keeps n·p large enough for the z-test). */
  minTotalErrors: number;
  /** Smallest relative latency change reported (p50 or p95, whichever moved more). */
  minLatencyChange: number;
  /** Smallest |Cliff's delta| reported: below 0.147 is "negligible" (Romano et al. 2006). */
  minEffectSize: number;
  /** Smallest absolute error-rate increase reported (fraction). */
  minRateDiff: number;
  /** Smallest relative error-rate increase reported. */
  minRateChange: number;
}

export const DEFAULT_REGRESSION_POLICY: RegressionPolicy = {
  fdr: 0.01,
  minLatencySamples: 30,
  latencySampleCap: 2000,
  minRateSamples: 50,
  minTotalErrors: 5,
  minLatencyChange: 0.1,
  minEffectSize: 0.147,
  minRateDiff: 0.005,
  minRateChange: 0.2,
};

/** Latency severity: change ≥ 50 % or a large effect (|δ| ≥ 0.474) is critical; ≥ 20 % or medium (≥ 0.33) a warning. */
export function latencySeverity(change: number, effect: number): Severity {
  if (change >= 0.5 || Math.abs(effect) >= 0.474) return 'critical';
  if (change >= 0.2 || Math.abs(effect) >= 0.33) return 'warning';
  return 'info';
}

/** Error-rate severity: doubled and ≥ 5 points up is critical; ≥ 20 % up a warning. */
export function errorRateSeverity(relative: number, diff: number): Severity {
  if (relative >= 1 && diff >= 0.05) return 'critical';
  if (relative >= 0.2) return 'warning';
  return 'info';
}

export const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };
