import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { twoSidedNormalP } from './distributions.js';
import { hodgesLehmannShift } from './hodgesLehmann.js';
import { exactTwoSidedP, mannWhitneyU } from './mannWhitney.js';
import { createRng } from './rng.js';

/** O(n²) reference: U by pair counting, z from brute-force mid-ranks. */
function bruteForce(x: number[], y: number[]): { u: number; z: number } {
  let u = 0;
  for (const a of x) for (const b of y) u += a > b ? 1 : a === b ? 0.5 : 0;
  const all = [...x, ...y];
  const n = all.length;
  const counts = new Map<number, number>();
  for (const v of all) counts.set(v, (counts.get(v) ?? 0) + 1);
  let tie = 0;
  for (const t of counts.values()) tie += t ** 3 - t;
  const n1 = x.length;
  const n2 = y.length;
  const sigma = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tie / (n * (n - 1))));
  const d = u - (n1 * n2) / 2;
  const z = sigma > 0 ? (Math.sign(d) * Math.max(0, Math.abs(d) - 0.5)) / sigma : 0;
  return { u, z };
}

const smallSample = fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 1, maxLength: 25 });

describe('mannWhitneyU', () => {
  it('matches brute-force U and z on small inputs with ties', () => {
    fc.assert(
      fc.property(smallSample, smallSample, (x, y) => {
        const r = mannWhitneyU(x, y, { method: 'normal' });
        const b = bruteForce(x, y);
        expect(r.u).toBe(b.u);
        expect(r.z).toBeCloseTo(b.z, 10);
        expect(r.pValue).toBeCloseTo(x.length + y.length > 1 && b.z !== 0 ? twoSidedNormalP(b.z) : 1, 10);
        expect(r.effectSize).toBeCloseTo((2 * b.u) / (x.length * y.length) - 1, 12);
      }),
    );
  });

  it('is antisymmetric when the samples swap', () => {
    fc.assert(
      fc.property(smallSample, smallSample, (x, y) => {
        const a = mannWhitneyU(x, y);
        const b = mannWhitneyU(y, x);
        expect(a.u + b.u).toBe(x.length * y.length);
        expect(a.effectSize).toBeCloseTo(-b.effectSize, 12);
        expect(a.pValue).toBeCloseTo(b.pValue, 12);
      }),
    );
  });

  it('is invariant under a strictly increasing transform', () => {
    fc.assert(
      fc.property(smallSample, smallSample, (x, y) => {
        const f = (v: number): number => Math.exp(v / 3) * 10 + 1;
        const a = mannWhitneyU(x, y);
        const b = mannWhitneyU(x.map(f), y.map(f));
        expect(b.u).toBe(a.u);
        expect(b.pValue).toBeCloseTo(a.pValue, 12);
      }),
    );
  });

  it('uses the exact distribution for tiny untied samples (textbook value)', () => {
    const r = mannWhitneyU([1, 2, 3], [4, 5, 6]);
    expect(r.method).toBe('exact');
    expect(r.u).toBe(0);
    expect(r.pValue).toBeCloseTo(0.1, 12); // 2 / C(6,3)
    expect(exactTwoSidedP(0, 2, 2)).toBeCloseTo(1 / 3, 12); // 2 / C(4,2)
    expect(mannWhitneyU([1, 2, 3, 4, 5], [1.5]).pValue).toBeCloseTo(2 / 3, 12); // U = 4 of a uniform 0..5
    expect(mannWhitneyU([1, 2, 3, 4, 5], [3.5]).pValue).toBe(1);
  });

  it('exact null distribution sums to C(n1+n2, n1) and agrees with the normal approximation for moderate n', () => {
    // U = 100 with n1 = n2 = 20: normal approximation should be close to exact.
    const exact = exactTwoSidedP(120, 20, 20);
    const sigma = Math.sqrt((400 * 41) / 12);
    expect(Math.abs(exact - twoSidedNormalP((120 - 200 + 0.5) / sigma))).toBeLessThan(0.005);
  });

  it('rejects at rate ≈ α under the null (continuous and heavily tied data)', () => {
    const rng = createRng(1);
    for (const tied of [false, true]) {
      let rejections = 0;
      const runs = 600;
      for (let r = 0; r < runs; r++) {
        const draw = (): number => (tied ? Math.floor(rng.next() * 4) : rng.normal());
        const x = Array.from({ length: 40 }, draw);
        const y = Array.from({ length: 55 }, draw);
        if (mannWhitneyU(x, y).pValue < 0.05) rejections++;
      }
      const rate = rejections / runs;
      expect(rate).toBeGreaterThanOrEqual(0.02);
      expect(rate).toBeLessThanOrEqual(0.09);
    }
  });

  it('detects a half-standard-deviation shift with 200 per side', () => {
    const rng = createRng(7);
    let detected = 0;
    for (let r = 0; r < 50; r++) {
      const x = Array.from({ length: 200 }, () => rng.normal() + 0.5);
      const y = Array.from({ length: 200 }, () => rng.normal());
      const res = mannWhitneyU(x, y);
      if (res.pValue < 0.01 && res.effectSize > 0) detected++;
      expect(res.hodgesLehmann).toBeGreaterThan(0);
    }
    expect(detected).toBeGreaterThanOrEqual(45);
  });

  it('handles 1e5 values per side and recovers the shift', () => {
    const rng = createRng(3);
    const n = 100_000;
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      x[i] = Math.exp(rng.normal()) * 100 + 10;
      y[i] = Math.exp(rng.normal()) * 100;
    }
    const r = mannWhitneyU(x, y);
    expect(r.pValue).toBeLessThan(1e-10);
    expect(r.hodgesLehmann).toBeGreaterThan(7);
    expect(r.hodgesLehmann).toBeLessThan(13);
  });

  it('returns NaN statistics for an empty sample and p = 1 for all-tied data', () => {
    expect(Number.isNaN(mannWhitneyU([], [1, 2]).pValue)).toBe(true);
    const tied = mannWhitneyU(new Array(60).fill(3), new Array(60).fill(3));
    expect(tied.pValue).toBe(1);
    expect(tied.z).toBe(0);
  });
});

describe('hodgesLehmannShift', () => {
  it('equals the median of all pairwise differences (brute force)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -20, max: 20 }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.double({ min: -20, max: 20, noNaN: true }), { minLength: 1, maxLength: 30 }),
        (x, y) => {
          const diffs: number[] = [];
          for (const a of x) for (const b of y) diffs.push(a - b);
          diffs.sort((p, q) => p - q);
          const m = diffs.length;
          const median = m % 2 ? diffs[(m - 1) / 2] : (diffs[m / 2 - 1] + diffs[m / 2]) / 2;
          expect(hodgesLehmannShift(x, y)).toBe(median);
        },
      ),
    );
  });
});
