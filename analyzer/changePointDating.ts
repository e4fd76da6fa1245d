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
 * shifted side. Returns the bucket index, or null.
 */
export function dateChange(series: Float64Array, baselineLevel: number, currentLevel: number): number | null {
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
