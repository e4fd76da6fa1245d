import { sortedFinite } from './sorted.js';

/**
 * Discrete quantile of ascending-sorted values, matching DuckDB's
 * `quantile_disc` bit for bit: the element at index
 * max(1, n − ⌊n − q·n⌋) − 1, i.e. ⌈q·n⌉ − 1 (the inverse empirical CDF,
 * Hyndman–Fan type 1) evaluated exactly the way DuckDB rounds it, so
 * q·n = 3.0000000000000004 still counts as 3. (Not ⌊(n − 1)·q⌋: that differs,
 * e.g. n = 4, q = 0.9 gives index 2 where DuckDB returns index 3.)
 * NaN for an empty array; q must be in [0, 1].
 */
export function quantileDisc(sorted: ArrayLike<number>, q: number): number {
  checkQ(q);
  const n = sorted.length;
  if (n === 0) return NaN;
  return sorted[Math.max(1, n - Math.floor(n - q * n)) - 1];
}

/**
 * Continuous quantile of ascending-sorted values, matching DuckDB's
 * `quantile_cont` (Hyndman–Fan type 7, the default in R and NumPy): with
 * r = (n − 1)·q, linear interpolation lo + (r − ⌊r⌋)·(hi − lo) between the
 * elements at ⌊r⌋ and ⌈r⌉. NaN for an empty array; q must be in [0, 1].
 */
export function quantileCont(sorted: ArrayLike<number>, q: number): number {
  checkQ(q);
  const n = sorted.length;
  if (n === 0) return NaN;
  const r = (n - 1) * q;
  const lo = Math.floor(r);
  const hi = Math.ceil(r);
  const a = sorted[lo];
  if (lo === hi) return a;
  return a + (r - lo) * (sorted[hi] - a);
}

/**
 * Several quantiles of unsorted values with one O(n log n) sort (NaN values
 * dropped). `method` 'disc' = {@link quantileDisc}, 'cont' = {@link quantileCont}.
 *
 * @example
 * const [p50, p95, p99] = quantiles(latencies, [0.5, 0.95, 0.99], 'disc');
 */
export function quantiles(values: ArrayLike<number>, qs: readonly number[], method: 'disc' | 'cont' = 'cont'): number[] {
  const sorted = sortedFinite(values);
  const f = method === 'disc' ? quantileDisc : quantileCont;
  return qs.map((q) => f(sorted, q));
}

function checkQ(q: number): void {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be in [0, 1], got ${q}`);
}
