import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LogSketch, nearestRank, sketchBucket, sketchValue, SKETCH_RELATIVE_ACCURACY } from './sketch.js';

function exactQuantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[nearestRank(q, sorted.length) - 1];
}

describe('LogSketch', () => {
  it('keeps every quantile within 1 % relative error of the exact nearest-rank quantile', () => {
    const dist = fc.oneof(
      fc.array(fc.double({ min: 1, max: 1e12, noNaN: true }), { minLength: 1, maxLength: 400 }),
      // log-normal-ish latencies: exp of a bounded double
      fc.array(fc.double({ min: 0, max: 25, noNaN: true }).map((x) => Math.exp(x)), { minLength: 1, maxLength: 400 }),
      // heavy ties
      fc.array(fc.constantFrom(1_000_000, 2_000_000, 1_500_000_000), { minLength: 1, maxLength: 200 }),
    );
    fc.assert(
      fc.property(dist, fc.double({ min: 0, max: 1, noNaN: true }), (values, q) => {
        const s = new LogSketch();
        for (const v of values) s.add(v);
        const exact = exactQuantile(values, q);
        const est = s.quantile(q);
        expect(Math.abs(est - exact) / exact).toBeLessThanOrEqual(0.01);
      }),
      { numRuns: 300 },
    );
  });

  it('merges by adding bucket counts, giving the same quantiles as one sketch over all values', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 1, max: 1e9, noNaN: true }), { minLength: 1, maxLength: 200 }),
        fc.array(fc.double({ min: 1, max: 1e9, noNaN: true }), { minLength: 1, maxLength: 200 }),
        (a, b) => {
          const sa = new LogSketch();
          const sb = new LogSketch();
          const all = new LogSketch();
          a.forEach((v) => (sa.add(v), all.add(v)));
          b.forEach((v) => (sb.add(v), all.add(v)));
          sa.merge(sb);
          for (const q of [0.5, 0.95, 0.99]) expect(sa.quantile(q)).toBe(all.quantile(q));
        },
      ),
    );
  });

  it('maps zero and negative durations to a zero bucket', () => {
    expect(sketchValue(sketchBucket(0))).toBe(0);
    expect(sketchValue(sketchBucket(-5))).toBe(0);
    expect(SKETCH_RELATIVE_ACCURACY).toBeLessThan(0.01);
  });
});
