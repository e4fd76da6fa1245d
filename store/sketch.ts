/**
 * Mergeable log-bucket latency sketch (DDSketch-style).
 *
 * A positive value x lands in bucket i = ceil(ln x / ln γ) with γ = (1+α)/(1−α);
 * the bucket's representative 2γ^i/(γ+1) is within relative error α of every value
 * in (γ^(i−1), γ^i]. Buckets merge by adding counts, so per-minute sketches stored
 * as (bucket, count) rows can be summed over any window in SQL or in memory.
 */
export const SKETCH_RELATIVE_ACCURACY = 0.0099; // a hair under 1 % so float rounding at bucket edges stays inside the 1 % contract
export const SKETCH_GAMMA = (1 + SKETCH_RELATIVE_ACCURACY) / (1 - SKETCH_RELATIVE_ACCURACY);
const LN_GAMMA = Math.log(SKETCH_GAMMA);
/** Bucket for values ≤ 0 (durations can be zero); its representative is 0. */
export const ZERO_BUCKET = -32768;

/** Bucket index for one value. */
export function sketchBucket(value: number): number {
  if (!(value > 0)) return ZERO_BUCKET;
  return Math.ceil(Math.log(value) / LN_GAMMA);
}

/** Representative value of a bucket. */
export function sketchValue(bucket: number): number {
  if (bucket === ZERO_BUCKET) return 0;
  return (2 * Math.pow(SKETCH_GAMMA, bucket)) / (SKETCH_GAMMA + 1);
}

/**
 * SQL expressions equivalent to the functions above, so named queries can compute
 * quantiles from the `rollup_sketch` table with the same semantics.
 */
export const SQL_SKETCH_VALUE = (bucketExpr: string): string =>
  `CASE WHEN ${bucketExpr} = ${ZERO_BUCKET} THEN 0 ELSE 2 * pow(${SKETCH_GAMMA}, ${bucketExpr}) / (${SKETCH_GAMMA} + 1) END`;

/** Nearest-rank position used everywhere (matches DuckDB's quantile_disc): the smallest k with k ≥ q·n. */
export function nearestRank(q: number, n: number): number {
  return Math.min(n, Math.max(1, Math.ceil(q * n - 1e-9)));
}

/** In-memory mergeable sketch. */
export class LogSketch {
  readonly counts = new Map<number, number>();
  count = 0;

  add(value: number, times = 1): void {
    const b = sketchBucket(value);
    this.counts.set(b, (this.counts.get(b) ?? 0) + times);
    this.count += times;
  }

  addBucket(bucket: number, n: number): void {
    this.counts.set(bucket, (this.counts.get(bucket) ?? 0) + n);
    this.count += n;
  }

  merge(other: LogSketch): void {
    for (const [b, n] of other.counts) this.addBucket(b, n);
  }

  /** Quantile q in [0,1] by nearest rank; NaN when empty. */
  quantile(q: number): number {
    if (this.count === 0) return Number.NaN;
    const target = nearestRank(q, this.count);
    const buckets = [...this.counts.keys()].sort((a, b) => a - b);
    let seen = 0;
    for (const b of buckets) {
      seen += this.counts.get(b)!;
      if (seen >= target) return sketchValue(b);
    }
    return sketchValue(buckets[buckets.length - 1]);
  }
}
