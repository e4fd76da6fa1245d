import { createRng } from './rng.js';
import { sortedFinite } from './sorted.js';

/**
 * Hodges–Lehmann two-sample shift: the median of all n1·n2 pairwise
 * differences x_i − y_j (positive when x tends to be larger). A robust,
 * unit-bearing companion to the Mann–Whitney test.
 *
 * Computed without materialising the n1·n2 differences: with both samples
 * sorted the differences form a matrix sorted along rows and columns, and a
 * randomized selection (pivot from the still-active cells, O(n1 + n2)
 * two-pointer count per round, expected O(log(n1·n2)) rounds) finds the k-th
 * smallest exactly. The pivot RNG has a fixed seed, so the result is fully
 * deterministic; randomness only affects running time.
 *
 * Returns NaN when either sample is empty. NaN values are ignored.
 *
 * @example
 * hodgesLehmannShift([5, 6, 7], [1, 2, 3]); // 4
 */
export function hodgesLehmannShift(x: ArrayLike<number>, y: ArrayLike<number>): number {
  return hodgesLehmannSorted(sortedFinite(x), sortedFinite(y));
}

/** Same as {@link hodgesLehmannShift} for inputs already sorted ascending (no NaN). */
export function hodgesLehmannSorted(xs: Float64Array, ys: Float64Array): number {
  const n1 = xs.length;
  const n2 = ys.length;
  if (n1 === 0 || n2 === 0) return NaN;
  const total = n1 * n2;
  const selector = new PairwiseDifferenceSelector(xs, ys);
  if (total % 2 === 1) return selector.kth((total - 1) / 2);
  const lower = selector.kth(total / 2 - 1);
  const upper = selector.kth(total / 2);
  return 0.5 * (lower + upper);
}

/** k-th smallest of x_i − y_j over an implicit row/column-sorted matrix. */
class PairwiseDifferenceSelector {
  private readonly yDesc: Float64Array;
  private readonly lo: Int32Array;
  private readonly hi: Int32Array;
  private readonly less: Int32Array;
  private readonly lessOrEqual: Int32Array;

  constructor(
    private readonly xs: Float64Array,
    ys: Float64Array,
  ) {
    const n2 = ys.length;
    // Reversing y makes every row x_i − yDesc[j] increasing in j.
    this.yDesc = new Float64Array(n2);
    for (let j = 0; j < n2; j++) this.yDesc[j] = ys[n2 - 1 - j];
    this.lo = new Int32Array(xs.length);
    this.hi = new Int32Array(xs.length);
    this.less = new Int32Array(xs.length);
    this.lessOrEqual = new Int32Array(xs.length);
  }

  kth(k: number): number {
    const { xs, yDesc, lo, hi, less, lessOrEqual } = this;
    const n1 = xs.length;
    const n2 = yDesc.length;
    lo.fill(0);
    hi.fill(n2);
    const rng = createRng(0x5eed);
    for (;;) {
      let active = 0;
      for (let i = 0; i < n1; i++) active += hi[i] - lo[i];
      // The answer always stays inside the active cells, so active > 0 here.
      let r = rng.int(active);
      let row = 0;
      while (r >= hi[row] - lo[row]) {
        r -= hi[row] - lo[row];
        row++;
      }
      const pivot = xs[row] - yDesc[lo[row] + r];

      // Per row, cells < pivot (and ≤ pivot) form a prefix whose length does not
      // grow with i, so one descending pointer per count covers the matrix.
      let totalLess = 0;
      let totalLessOrEqual = 0;
      let jl = n2;
      let je = n2;
      for (let i = 0; i < n1; i++) {
        const xi = xs[i];
        while (jl > 0 && xi - yDesc[jl - 1] >= pivot) jl--;
        while (je > 0 && xi - yDesc[je - 1] > pivot) je--;
        less[i] = jl;
        lessOrEqual[i] = je;
        totalLess += jl;
        totalLessOrEqual += je;
      }
      if (k < totalLess) {
        for (let i = 0; i < n1; i++) if (less[i] < hi[i]) hi[i] = less[i];
      } else if (k >= totalLessOrEqual) {
        for (let i = 0; i < n1; i++) if (lessOrEqual[i] > lo[i]) lo[i] = lessOrEqual[i];
      } else {
        return pivot;
      }
    }
  }
}
