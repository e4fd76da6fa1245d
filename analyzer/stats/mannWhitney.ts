import { twoSidedNormalP } from './distributions.js';
import { hodgesLehmannSorted } from './hodgesLehmann.js';
import { sortedFinite } from './sorted.js';

/** Result of {@link mannWhitneyU}. Orientation: positive means x tends to be larger than y. */
export interface MannWhitneyResult {
  /** U for x: #(x_i > y_j) + ½·#(x_i = y_j), in [0, n1·n2]. */
  u: number;
  /** Standardised U (tie- and continuity-corrected); 0 for the exact method when U is central. */
  z: number;
  /** Two-sided p-value. NaN when a sample is empty. */
  pValue: number;
  /** Rank-biserial correlation 2U/(n1·n2) − 1 ∈ [−1, 1]; equals Cliff's delta P(X>Y) − P(X<Y). */
  effectSize: number;
  /** Common-language effect size U/(n1·n2) = P(X > Y) + ½·P(X = Y). */
  probabilityOfSuperiority: number;
  /** Hodges–Lehmann shift, median of x_i − y_j (NaN when disabled or a sample is empty). */
  hodgesLehmann: number;
  medianX: number;
  medianY: number;
  n1: number;
  n2: number;
  method: 'exact' | 'normal';
}

export interface MannWhitneyOptions {
  /**
   * 'auto' (default): exact null distribution when there are no ties and
   * n1 + n2 ≤ 50, where the normal approximation is weakest and the exact
   * count is cheap and exact in doubles; normal approximation otherwise.
   * 'normal' forces the approximation.
   */
  method?: 'auto' | 'normal';
  /** Compute the Hodges–Lehmann shift (default true; expected O((n1+n2)·log(n1·n2))). */
  hodgesLehmann?: boolean;
}

const EXACT_MAX_TOTAL = 50;

/**
 * Two-sided Mann–Whitney U (Wilcoxon rank-sum) test of whether x and y come
 * from the same distribution, sensitive to stochastic shifts.
 *
 * Method: both samples are sorted (typed-array sort, O(n log n)) and merged
 * once to get U, the mid-rank tie groups and the tie term Σ(t³ − t) without
 * building a rank array. Normal approximation:
 * z = (|U − n1n2/2| − ½)·sign / σ with
 * σ² = n1n2/12 · [(N + 1) − Σ(t³ − t)/(N(N − 1))] (continuity + tie correction).
 * Assumes independent observations; NaN values are dropped. All-tied input
 * (σ = 0) gives z = 0 and p = 1.
 *
 * @example
 * const r = mannWhitneyU(currentLatencies, baselineLatencies);
 * if (r.pValue < 0.01 && r.effectSize > 0.2) { ... } // current is slower
 */
export function mannWhitneyU(x: ArrayLike<number>, y: ArrayLike<number>, options: MannWhitneyOptions = {}): MannWhitneyResult {
  const xs = sortedFinite(x);
  const ys = sortedFinite(y);
  const n1 = xs.length;
  const n2 = ys.length;
  if (n1 === 0 || n2 === 0) {
    return {
      u: NaN, z: NaN, pValue: NaN, effectSize: NaN, probabilityOfSuperiority: NaN, hodgesLehmann: NaN,
      medianX: sortedMedian(xs), medianY: sortedMedian(ys), n1, n2, method: 'normal',
    };
  }

  // Merge pass: for each distinct value, count how many come from x and y.
  // rankSumX accumulates mid-ranks of x; tieTerm accumulates t³ − t.
  let i = 0;
  let j = 0;
  let rankBase = 0;
  let rankSumX = 0;
  let tieTerm = 0;
  while (i < n1 || j < n2) {
    const v = j >= n2 || (i < n1 && xs[i] <= ys[j]) ? xs[i] : ys[j];
    let cx = 0;
    let cy = 0;
    while (i < n1 && xs[i] === v) {
      i++;
      cx++;
    }
    while (j < n2 && ys[j] === v) {
      j++;
      cy++;
    }
    const t = cx + cy;
    rankSumX += cx * (rankBase + (t + 1) / 2);
    if (t > 1) tieTerm += t * t * t - t;
    rankBase += t;
  }
  const u = rankSumX - (n1 * (n1 + 1)) / 2;
  const pairs = n1 * n2;
  const n = n1 + n2;
  const mean = pairs / 2;

  const useExact = (options.method ?? 'auto') === 'auto' && tieTerm === 0 && n <= EXACT_MAX_TOTAL;

  const variance = (pairs / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  const sigma = variance > 0 ? Math.sqrt(variance) : 0;
  const deviation = u - mean;
  const corrected = Math.max(0, Math.abs(deviation) - 0.5);
  const z = sigma > 0 ? (Math.sign(deviation) * corrected) / sigma : 0;
  const pValue = useExact ? exactTwoSidedP(u, n1, n2) : sigma > 0 ? twoSidedNormalP(z) : 1;

  return {
    u,
    z,
    pValue,
    effectSize: (2 * u) / pairs - 1,
    probabilityOfSuperiority: u / pairs,
    hodgesLehmann: options.hodgesLehmann === false ? NaN : hodgesLehmannSorted(xs, ys),
    medianX: sortedMedian(xs),
    medianY: sortedMedian(ys),
    n1,
    n2,
    method: useExact ? 'exact' : 'normal',
  };
}

/**
 * Exact two-sided p for an integer U without ties: 2·min(P(U ≤ u), P(U ≥ u)).
 * The null counts of U are the coefficients of the Gaussian binomial
 * [n1+n2 choose n1]_q = ∏_{i=1..m} (1 − q^{n+i}) / (1 − q^i), built one factor at
 * a time; every intermediate is itself a Gaussian binomial, so coefficients
 * stay non-negative integers below C(n1+n2, n1) < 2^53 for n1 + n2 ≤ 50.
 */
export function exactTwoSidedP(u: number, n1: number, n2: number): number {
  const m = Math.min(n1, n2);
  const n = Math.max(n1, n2);
  const maxU = m * n;
  const counts = new Float64Array(maxU + 1);
  counts[0] = 1;
  for (let i = 1; i <= m; i++) {
    const up = n + i;
    for (let k = maxU; k >= up; k--) counts[k] -= counts[k - up];
    for (let k = i; k <= maxU; k++) counts[k] += counts[k - i];
  }
  let total = 0;
  let atMost = 0;
  let atLeast = 0;
  for (let k = 0; k <= maxU; k++) {
    total += counts[k];
    if (k <= u) atMost += counts[k];
    if (k >= u) atLeast += counts[k];
  }
  return Math.min(1, (2 * Math.min(atMost, atLeast)) / total);
}

function sortedMedian(s: Float64Array): number {
  const n = s.length;
  if (n === 0) return NaN;
  const h = n >> 1;
  return n % 2 === 1 ? s[h] : 0.5 * (s[h - 1] + s[h]);
}
