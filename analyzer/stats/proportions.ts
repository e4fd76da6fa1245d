/**
 * Tests and intervals for proportions (success/error rates, A/B conversion,
 * pattern success rates) and the sample-ratio-mismatch check.
 */
import { betaQuantile, chiSquareSf, normalQuantile, twoSidedNormalP } from './distributions.js';

/** Result of {@link twoProportionZTest}; `diff` = p1 − p2. */
export interface TwoProportionResult {
  z: number;
  pValue: number;
  diff: number;
  p1: number;
  p2: number;
}

/** A two-sided interval for a proportion. */
export interface ProportionInterval {
  lower: number;
  upper: number;
}

/**
 * Two-sided pooled two-proportion z-test of H0: p1 = p2, with
 * z = (p̂1 − p̂2) / √(p̄(1 − p̄)(1/n1 + 1/n2)), p̄ the pooled rate. Assumes
 * independent Bernoulli trials and roughly n·p ≥ 5 in each cell; no
 * continuity correction. When both groups are all-success or all-failure the
 * difference is exactly 0 and z = 0, p = 1. An empty group gives NaN.
 */
export function twoProportionZTest(successes1: number, n1: number, successes2: number, n2: number): TwoProportionResult {
  if (!(n1 > 0) || !(n2 > 0)) return { z: NaN, pValue: NaN, diff: NaN, p1: NaN, p2: NaN };
  const p1 = successes1 / n1;
  const p2 = successes2 / n2;
  const pooled = (successes1 + successes2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  const diff = p1 - p2;
  if (!(se > 0)) return { z: 0, pValue: 1, diff, p1, p2 };
  const z = diff / se;
  return { z, pValue: twoSidedNormalP(z), diff, p1, p2 };
}

/**
 * Wilson score interval for a binomial proportion at the given confidence
 * (default 0.95). Chosen over the Wald interval because it stays inside
 * [0, 1] and keeps near-nominal coverage for small n and rates near 0 or 1.
 * n = 0 gives the uninformative [0, 1].
 */
export function wilsonInterval(successes: number, n: number, confidence = 0.95): ProportionInterval {
  if (!(n > 0)) return { lower: 0, upper: 1 };
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const p = successes / n;
  const z2n = (z * z) / n;
  const center = (p + z2n / 2) / (1 + z2n);
  const half = (z / (1 + z2n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  // Clamp away rounding at the ends: the exact interval contains p̂ and sits in [0, 1].
  return { lower: Math.max(0, Math.min(p, center - half)), upper: Math.min(1, Math.max(p, center + half)) };
}

/**
 * Equal-tailed credible interval of a Beta(alpha, beta) posterior, e.g.
 * Beta(1 + s, 1 + f) for a uniform prior.
 */
export function betaPosteriorInterval(alpha: number, beta: number, confidence = 0.95): ProportionInterval {
  const tail = (1 - confidence) / 2;
  return { lower: betaQuantile(tail, alpha, beta), upper: betaQuantile(1 - tail, alpha, beta) };
}

/**
 * Jeffreys interval: the equal-tailed interval of the Beta(s + ½, n − s + ½)
 * posterior, with the lower bound set to 0 when s = 0 and the upper to 1 when
 * s = n (Brown, Cai & DasGupta 2001), which fixes its coverage at the ends.
 */
export function jeffreysInterval(successes: number, n: number, confidence = 0.95): ProportionInterval {
  if (!(n > 0)) return { lower: 0, upper: 1 };
  const { lower, upper } = betaPosteriorInterval(successes + 0.5, n - successes + 0.5, confidence);
  return { lower: successes <= 0 ? 0 : lower, upper: successes >= n ? 1 : upper };
}

/** Result of {@link srmTest}. */
export interface SrmResult {
  chiSquare: number;
  df: number;
  pValue: number;
  /** Expected counts per arm under the intended shares. */
  expected: number[];
}

/**
 * Sample-ratio-mismatch check: Pearson chi-square goodness-of-fit of observed
 * arm counts against the intended allocation shares (normalised to sum to 1),
 * df = arms − 1. A tiny p-value (conventionally < 0.001, because SRM checks run
 * on every experiment and a false alarm halts it) means assignment or logging
 * is broken and the experiment's results should not be trusted.
 *
 * @example
 * srmTest([5050, 4950], [0.5, 0.5]).pValue; // ≈ 0.32, no mismatch
 */
export function srmTest(observedCounts: readonly number[], expectedShares: readonly number[]): SrmResult {
  if (observedCounts.length !== expectedShares.length) throw new RangeError('srmTest: observedCounts and expectedShares must have the same length');
  const k = observedCounts.length;
  let total = 0;
  let shareSum = 0;
  for (let i = 0; i < k; i++) {
    total += observedCounts[i];
    shareSum += expectedShares[i];
  }
  const expected = expectedShares.map((s) => (total * s) / shareSum);
  let chiSquare = 0;
  for (let i = 0; i < k; i++) {
    const e = expected[i];
    const d = observedCounts[i] - e;
    if (e > 0) chiSquare += (d * d) / e;
    else if (observedCounts[i] > 0) chiSquare = Infinity; // traffic in an arm meant to get none
  }
  const df = k - 1;
  const pValue = df > 0 && total > 0 ? chiSquareSf(chiSquare, df) : 1;
  return { chiSquare, df, pValue, expected };
}

/** Options for {@link minSampleSizePerArm}. */
export interface SampleSizeOptions {
  /** Significance level (default 0.05). */
  alpha?: number;
  /** Power 1 − β (default 0.8). */
  power?: number;
  /** Two-sided test (default true). */
  twoSided?: boolean;
}

/**
 * Minimum sample size per arm (equal arms) for the pooled two-proportion
 * z-test to detect p1 vs p2, by the normal-approximation formula without
 * continuity correction (Fleiss, Levin & Paik 2003, eq. 4.14):
 * n = (z_{1−α/2}·√(2p̄q̄) + z_{1−β}·√(p1q1 + p2q2))² / (p1 − p2)², rounded up.
 * Infinity when p1 = p2.
 *
 * @example
 * minSampleSizePerArm(0.10, 0.15); // 686
 */
export function minSampleSizePerArm(p1: number, p2: number, options: SampleSizeOptions = {}): number {
  const alpha = options.alpha ?? 0.05;
  const power = options.power ?? 0.8;
  const zAlpha = normalQuantile(1 - (options.twoSided === false ? alpha : alpha / 2));
  const zBeta = normalQuantile(power);
  const delta = Math.abs(p1 - p2);
  if (delta === 0) return Infinity;
  const pBar = (p1 + p2) / 2;
  const a = zAlpha * Math.sqrt(2 * pBar * (1 - pBar));
  const b = zBeta * Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2));
  // Subtract a hair before ceil so exact integers from rounding noise don't round up.
  return Math.ceil(((a + b) * (a + b)) / (delta * delta) - 1e-9);
}
