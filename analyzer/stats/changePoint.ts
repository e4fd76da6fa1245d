/**
 * Change points in the mean of a series (latency p95 per minute, error rate
 * per window, …): PELT for several changes and a single-split estimator for
 * "when did it start".
 *
 * Model: piecewise-constant mean plus independent Gaussian noise with one
 * common variance σ². σ² is estimated robustly from first differences
 * (σ̂ = 1.4826·MAD(Δy)/√2), which a few mean shifts barely move; when the MAD
 * is 0 (e.g. piecewise-constant data) it falls back to mean(Δy²)/2, and a
 * constant series has no change points.
 */
import { sortedFinite } from './sorted.js';

/** A maximal run with one mean: indices [start, end). */
export interface Segment {
  start: number;
  end: number;
  mean: number;
}

export interface PeltOptions {
  /** Penalty per change in units of σ² (default 2·ln n, BIC-like: one location + one mean per change). */
  penalty?: number;
  /** Minimum segment length (default 2, so a single outlier is not a segment). */
  minSegmentLength?: number;
  /** Known noise variance; estimated from the data when omitted. */
  variance?: number;
}

export interface PeltResult {
  /** Index of the first element of each new segment, ascending. */
  changePoints: number[];
  segments: Segment[];
  /** Noise variance used to scale the cost. */
  variance: number;
  /** Penalty used, in units of σ². */
  penalty: number;
}

/** The defaults both segmenters share, and the no-change answer for series too short or flat to split. */
function resolveOptions(series: ArrayLike<number>, options: PeltOptions): { n: number; minSeg: number; penalty: number; variance: number; trivial: PeltResult | null } {
  const n = series.length;
  const minSeg = Math.max(1, Math.floor(options.minSegmentLength ?? 2));
  const penalty = options.penalty ?? 2 * Math.log(Math.max(n, 2));
  const variance = options.variance ?? estimateNoiseVariance(series);
  const whole: Segment[] = n > 0 ? [{ start: 0, end: n, mean: mean(series, 0, n) }] : [];
  const trivial = n < 2 * minSeg || !(variance > 0) ? { changePoints: [], segments: whole, variance, penalty } : null;
  return { n, minSeg, penalty, variance, trivial };
}

/**
 * PELT (Killick, Fearnhead & Eckley 2012) for changes in mean: minimises
 * Σ_segments SSE/σ² + penalty·(#changes) exactly, like optimal partitioning,
 * but prunes split candidates that can never win again. Segment costs come
 * from prefix sums (O(1) each), and the hot loop allocates nothing.
 * Complexity: O(n) expected when changes keep arriving, but a long stretch
 * without any change prunes nothing, so it degrades towards O(n²) there —
 * feed it per-minute/per-window aggregates (≲ 20k points), or use
 * {@link binarySegmentation} (O(n log n), approximate) for longer series.
 * In raw units the default penalty is the BIC-like 2·ln(n)·σ².
 *
 * @example
 * const { changePoints } = peltMeanChanges(p95PerMinute); // e.g. [412]
 */
export function peltMeanChanges(series: ArrayLike<number>, options: PeltOptions = {}): PeltResult {
  const { n, minSeg, penalty, variance, trivial } = resolveOptions(series, options);
  if (trivial) return trivial;

  const { s1, s2, offset } = prefixSums(series);
  const invVar = 1 / variance;
  const cost = (s: number, t: number): number => {
    const a = s1[t] - s1[s];
    return (s2[t] - s2[s] - (a * a) / (t - s)) * invVar;
  };

  const best = new Float64Array(n + 1);
  const last = new Int32Array(n + 1);
  const candidates = new Int32Array(n + 1);
  let candidateCount = 0;
  best[0] = -penalty;
  for (let t = minSeg; t <= n; t++) {
    // s = t − minSeg becomes admissible now; only 0 or reachable ends can start a segment.
    const fresh = t - minSeg;
    // Prune against τ = t − minSeg, not t − 1: a candidate s may be dropped once
    // F(s) + C(s, τ) > F(τ) (K = 0 for SSE costs), but only for ends at least
    // minSeg after τ, where τ itself is an admissible last change. Pruning
    // against the latest F breaks optimality when minSeg > 1.
    if (fresh >= minSeg) {
      const reference = best[fresh];
      let kept = 0;
      for (let c = 0; c < candidateCount; c++) {
        const s = candidates[c];
        if (best[s] + cost(s, fresh) <= reference) candidates[kept++] = s;
      }
      candidateCount = kept;
    }
    if (fresh === 0 || fresh >= minSeg) candidates[candidateCount++] = fresh;
    let bestValue = Infinity;
    let bestS = 0;
    for (let c = 0; c < candidateCount; c++) {
      const s = candidates[c];
      const v = best[s] + cost(s, t) + penalty;
      if (v < bestValue) {
        bestValue = v;
        bestS = s;
      }
    }
    best[t] = bestValue;
    last[t] = bestS;
  }

  const changePoints: number[] = [];
  for (let t = n; t > 0; t = last[t]) if (last[t] > 0) changePoints.push(last[t]);
  changePoints.reverse();
  const segments = segmentsFrom(changePoints, s1, offset, n);
  return { changePoints, segments, variance, penalty };
}

/**
 * Binary segmentation for changes in mean with the same model and penalty as
 * {@link peltMeanChanges}: split a segment at its best single split when the
 * SSE reduction exceeds penalty·σ², then recurse into both halves.
 * O(n log n) for balanced splits; greedy, so it may place changes slightly
 * differently from the exact PELT optimum when changes are close together.
 */
export function binarySegmentation(series: ArrayLike<number>, options: PeltOptions = {}): PeltResult {
  const { n, minSeg, penalty, variance, trivial } = resolveOptions(series, options);
  if (trivial) return trivial;
  const { s1, offset } = prefixSums(series);
  const threshold = penalty * variance;
  const changePoints: number[] = [];
  const stack: Array<[number, number]> = [[0, n]];
  while (stack.length > 0) {
    const [start, end] = stack.pop()!;
    const split = bestSplit(s1, start, end, minSeg);
    if (split.index < 0 || !(split.gain > threshold)) continue;
    changePoints.push(split.index);
    stack.push([start, split.index], [split.index, end]);
  }
  changePoints.sort((a, b) => a - b);
  return { changePoints, segments: segmentsFrom(changePoints, s1, offset, n), variance, penalty };
}

/** Result of {@link singleChangePoint}. */
export interface SingleChangePoint {
  /** First index of the "after" segment. */
  index: number;
  meanBefore: number;
  meanAfter: number;
  /**
   * Standardised jump |m_after − m_before| / (σ̂·√(1/k + 1/(n − k))). It is the
   * maximum over all splits, so it runs larger than N(0, 1) under no change
   * (≈ 3 for n ≈ 1000); compare against a threshold calibrated for that, or use PELT.
   */
  z: number;
  /** Share of the total sum of squares explained by the step, in [0, 1]. */
  rSquared: number;
}

/**
 * Most likely single mean change (binary-segmentation / CUSUM split): the
 * index k maximising the SSE reduction k(n − k)/n·(m_before − m_after)², in one
 * O(n) pass over prefix sums. Returns null when n < 2·minSegmentLength or the
 * series is constant.
 */
export function singleChangePoint(series: ArrayLike<number>, options: { minSegmentLength?: number } = {}): SingleChangePoint | null {
  const n = series.length;
  const minSeg = Math.max(1, Math.floor(options.minSegmentLength ?? 2));
  if (n < 2 * minSeg) return null;
  const { s1, s2, offset } = prefixSums(series);
  const total = s1[n];
  const totalSs = s2[n] - (total * total) / n;
  if (!(totalSs > 0)) return null;
  const { index: bestK, gain: bestGain } = bestSplit(s1, 0, n, minSeg);
  const meanBefore = s1[bestK] / bestK + offset;
  const meanAfter = (total - s1[bestK]) / (n - bestK) + offset;
  const sigma = Math.sqrt(estimateNoiseVariance(series));
  const se = sigma * Math.sqrt(1 / bestK + 1 / (n - bestK));
  const jump = Math.abs(meanAfter - meanBefore);
  return {
    index: bestK,
    meanBefore,
    meanAfter,
    z: se > 0 ? jump / se : jump > 0 ? Infinity : 0,
    rSquared: Math.min(1, bestGain / totalSs),
  };
}

/**
 * Noise variance from first differences: (1.4826·MAD(Δy))²/2, falling back to
 * mean(Δy²)/2 when the MAD is 0. Differences cancel the mean, so level shifts
 * only contaminate one difference each and the MAD ignores them.
 */
export function estimateNoiseVariance(series: ArrayLike<number>): number {
  const n = series.length;
  if (n < 2) return 0;
  const diffs = new Float64Array(n - 1);
  let sumSq = 0;
  for (let i = 1; i < n; i++) {
    const d = series[i] - series[i - 1];
    diffs[i - 1] = d;
    sumSq += d * d;
  }
  const sorted = sortedFinite(diffs);
  const med = median(sorted);
  for (let i = 0; i < sorted.length; i++) sorted[i] = Math.abs(sorted[i] - med);
  sorted.sort();
  const mad = median(sorted);
  if (mad > 0) {
    const sigma = 1.4826 * mad;
    return (sigma * sigma) / 2;
  }
  return sumSq / (n - 1) / 2;
}

/** Best single split of [start, end): index maximising k(n−k)/n·(Δmean)², and that SSE reduction. */
function bestSplit(s1: Float64Array, start: number, end: number, minSeg: number): { index: number; gain: number } {
  const len = end - start;
  const total = s1[end] - s1[start];
  let index = -1;
  let gain = -Infinity;
  for (let k = minSeg; k <= len - minSeg; k++) {
    const left = s1[start + k] - s1[start];
    const d = left / k - (total - left) / (len - k);
    const g = ((k * (len - k)) / len) * d * d;
    if (g > gain) {
      gain = g;
      index = start + k;
    }
  }
  return { index, gain };
}

function segmentsFrom(changePoints: readonly number[], s1: Float64Array, offset: number, n: number): Segment[] {
  const bounds = [0, ...changePoints, n];
  const segments: Segment[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const start = bounds[i];
    const end = bounds[i + 1];
    segments.push({ start, end, mean: (s1[end] - s1[start]) / (end - start) + offset });
  }
  return segments;
}

/** Prefix sums of (y − ȳ) and (y − ȳ)²; centring keeps SSE differences free of cancellation. */
function prefixSums(series: ArrayLike<number>): { s1: Float64Array; s2: Float64Array; offset: number } {
  const n = series.length;
  const offset = mean(series, 0, n);
  const s1 = new Float64Array(n + 1);
  const s2 = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    const v = series[i] - offset;
    s1[i + 1] = s1[i] + v;
    s2[i + 1] = s2[i] + v * v;
  }
  return { s1, s2, offset };
}

function mean(values: ArrayLike<number>, start: number, end: number): number {
  let s = 0;
  for (let i = start; i < end; i++) s += values[i];
  return s / (end - start);
}

function median(sorted: Float64Array): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = n >> 1;
  return n % 2 === 1 ? sorted[h] : 0.5 * (sorted[h - 1] + sorted[h]);
}
