import { peltMeanChanges, singleChangePoint } from './stats/index.js';

/** Share of the measured shift a segment must have moved to count as part of the change. */
export const DATING_FRACTION = 0.25;

/**
 * Dates the start of a shift that the window-vs-baseline tests already found.
 *
 * PELT (BIC-like penalty 2·ln n·σ̂², minimum segment 2 buckets) splits the per-bucket series into
 * constant-mean segments. Walking back from the newest segment, every segment whose mean has
 * moved from the baseline level by at least DATING_FRACTION of the measured shift, in the shift's direction,
 * belongs to the change; the start of the earliest such segment in that trailing run is the
 * change point. A step moves its segments by the whole shift, so any fraction dates it on its
 * first shifted bucket; a slow drift is dated where its segments first moved by a quarter of the
 * shift seen in the window (a quarter rather than a half: a linear drift is then dated within
 * ~¼ of its length of its true start, while PELT's penalty already keeps noise-only segments from
 * existing). When PELT finds nothing, the best single split is used if its after-mean is on the
 * shifted side.
 *
 * Slow drifts have no step to find, so a broken-stick model (flat, then a linear ramp) is fitted
 * too; when it explains the series better than the dated step (lower SSE; both have one location
 * and two coefficients), its hinge — the onset of the ramp — is the change point.
 * Returns the bucket index, or null.
 */
export function dateChange(series: Float64Array, baselineLevel: number, currentLevel: number): number | null {
  const step = dateStep(series, baselineLevel, currentLevel);
  const hinge = bestHinge(series, Math.sign(currentLevel - baselineLevel));
  if (hinge === null) return step;
  if (step === null) return hinge.index;
  // A drift fits a broken line better than any step; a step fits two levels better than a ramp.
  return hinge.sse < stepSse(series, step) ? hinge.index : step;
}

function dateStep(series: Float64Array, baselineLevel: number, currentLevel: number): number | null {
  const shift = currentLevel - baselineLevel;
  if (!(Math.abs(shift) > 0) || series.length < 4) return null;
  const dir = Math.sign(shift);
  const shifted = (m: number): boolean => (m - baselineLevel) * dir >= DATING_FRACTION * Math.abs(shift);
  const { segments } = peltMeanChanges(series, { minSegmentLength: 2 });
  if (segments.length > 1) {
    let start: number | null = null;
    for (let i = segments.length - 1; i >= 1; i--) {
      if (!shifted(segments[i].mean)) break;
      start = segments[i].start;
    }
    if (start !== null) return start;
  }
  const single = singleChangePoint(series, { minSegmentLength: 2 });
  if (single && shifted(single.meanAfter) && !shifted(single.meanBefore)) return single.index;
  return null;
}

/** SSE of the two-level model split at k. */
function stepSse(y: Float64Array, k: number): number {
  const sse = (from: number, to: number): number => {
    let m = 0;
    for (let i = from; i < to; i++) m += y[i];
    m /= Math.max(1, to - from);
    let s = 0;
    for (let i = from; i < to; i++) s += (y[i] - m) ** 2;
    return s;
  };
  return sse(0, k) + sse(k, y.length);
}

/**
 * Broken-stick fit y = a + b·max(0, t − k) (flat, then a ramp from k), least squares for every
 * k with at least 4 buckets of ramp and a slope in the shift's direction; O(n) per k from
 * running sums, so O(n²) for the ≤ 2000 buckets the analyzer uses. The onset of a slow drift.
 */
function bestHinge(y: Float64Array, dir: number): { index: number; sse: number } | null {
  const n = y.length;
  if (n < 8 || dir === 0) return null;
  let sy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sy += y[i];
    syy += y[i] * y[i];
  }
  let best: { index: number; sse: number } | null = null;
  for (let k = 2; k <= n - 4; k++) {
    let sx = 0;
    let sxx = 0;
    let sxy = 0;
    for (let t = k; t < n; t++) {
      const x = t - k;
      sx += x;
      sxx += x * x;
      sxy += x * y[t];
    }
    const cxx = sxx - (sx * sx) / n;
    const cxy = sxy - (sx * sy) / n;
    if (!(cxx > 0)) continue;
    const b = cxy / cxx;
    if (b * dir <= 0) continue;
    const sse = syy - (sy * sy) / n - b * cxy;
    if (!best || sse < best.sse) best = { index: k, sse };
  }
  return best;
}
