import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { betaQuantile, chiSquareSf } from './distributions.js';
import { betaPosteriorInterval, jeffreysInterval, minSampleSizePerArm, srmTest, twoProportionZTest, wilsonInterval } from './proportions.js';
import { createRng } from './rng.js';

const counts = fc.integer({ min: 1, max: 5000 }).chain((n) => fc.tuple(fc.integer({ min: 0, max: n }), fc.constant(n)));

describe('twoProportionZTest', () => {
  it('matches a hand-computed textbook example', () => {
    // 45/100 vs 30/100: pooled 0.375, se = √(0.375·0.625·0.02)
    const r = twoProportionZTest(45, 100, 30, 100);
    expect(r.diff).toBeCloseTo(0.15, 12);
    expect(r.z).toBeCloseTo(0.15 / Math.sqrt(0.375 * 0.625 * 0.02), 12);
    expect(r.pValue).toBeCloseTo(0.028459736916310, 9);
  });
  it('agrees with the uncorrected Pearson chi-square of the 2×2 table (z² = χ²)', () => {
    fc.assert(
      fc.property(counts, counts, ([s1, n1], [s2, n2]) => {
        const r = twoProportionZTest(s1, n1, s2, n2);
        const cells = [s1, n1 - s1, s2, n2 - s2];
        const rows = [n1, n2];
        const cols = [s1 + s2, n1 + n2 - s1 - s2];
        const total = n1 + n2;
        if (cols[0] === 0 || cols[1] === 0) {
          expect(r.pValue).toBe(1);
          return;
        }
        let chi = 0;
        for (let i = 0; i < 2; i++)
          for (let j = 0; j < 2; j++) {
            const e = (rows[i] * cols[j]) / total;
            chi += (cells[2 * i + j] - e) ** 2 / e;
          }
        expect(r.z * r.z).toBeCloseTo(chi, 6);
        expect(r.pValue).toBeCloseTo(chiSquareSf(chi, 1), 9);
      }),
    );
  });
  it('holds its size under H0 (A/A) and finds a 10-point difference', () => {
    const rng = createRng(11);
    let falseAlarms = 0;
    let found = 0;
    for (let run = 0; run < 400; run++) {
      const draw = (p: number, n: number): number => {
        let s = 0;
        for (let i = 0; i < n; i++) if (rng.next() < p) s++;
        return s;
      };
      if (twoProportionZTest(draw(0.3, 500), 500, draw(0.3, 500), 500).pValue < 0.05) falseAlarms++;
      if (run < 100 && twoProportionZTest(draw(0.4, 500), 500, draw(0.3, 500), 500).pValue < 0.05) found++;
    }
    expect(falseAlarms / 400).toBeGreaterThanOrEqual(0.02);
    expect(falseAlarms / 400).toBeLessThanOrEqual(0.09);
    expect(found).toBeGreaterThanOrEqual(90);
  });
});

describe('wilsonInterval', () => {
  it('matches the textbook value for 5/10', () => {
    const { lower, upper } = wilsonInterval(5, 10);
    expect(lower).toBeCloseTo(0.236593, 5);
    expect(upper).toBeCloseTo(0.763407, 5);
  });
  it('contains p̂, stays in [0, 1] and narrows as n grows', () => {
    fc.assert(
      fc.property(counts, fc.constantFrom(0.8, 0.9, 0.95, 0.99), ([s, n], c) => {
        const { lower, upper } = wilsonInterval(s, n, c);
        expect(lower).toBeGreaterThanOrEqual(0);
        expect(upper).toBeLessThanOrEqual(1);
        expect(lower).toBeLessThanOrEqual(s / n);
        expect(upper).toBeGreaterThanOrEqual(s / n);
        const bigger = wilsonInterval(4 * s, 4 * n, c);
        expect(bigger.upper - bigger.lower).toBeLessThan(upper - lower);
      }),
    );
  });
  it('has near-nominal coverage for p = 0.1, n = 40', () => {
    const rng = createRng(5);
    let covered = 0;
    for (let run = 0; run < 2000; run++) {
      let s = 0;
      for (let i = 0; i < 40; i++) if (rng.next() < 0.1) s++;
      const { lower, upper } = wilsonInterval(s, 40);
      if (lower <= 0.1 && 0.1 <= upper) covered++;
    }
    expect(covered / 2000).toBeGreaterThan(0.92);
  });
});

describe('jeffreysInterval / betaPosteriorInterval', () => {
  it('uses Beta(s+½, n−s+½) quantiles and pins the ends for 0 and n successes', () => {
    const r = jeffreysInterval(3, 20);
    expect(r.lower).toBeCloseTo(betaQuantile(0.025, 3.5, 17.5), 14);
    expect(r.upper).toBeCloseTo(betaQuantile(0.975, 3.5, 17.5), 14);
    expect(jeffreysInterval(0, 10).lower).toBe(0);
    expect(jeffreysInterval(10, 10).upper).toBe(1);
    const b = betaPosteriorInterval(1, 1, 0.9);
    expect(b.lower).toBeCloseTo(0.05, 12);
    expect(b.upper).toBeCloseTo(0.95, 12);
  });
});

describe('srmTest', () => {
  it('passes a balanced split and flags a skewed one', () => {
    const ok = srmTest([5050, 4950], [0.5, 0.5]);
    expect(ok.chiSquare).toBeCloseTo(1, 12);
    expect(ok.pValue).toBeCloseTo(0.31731050786291415, 10);
    expect(srmTest([5300, 4700], [0.5, 0.5]).pValue).toBeLessThan(1e-6);
    // Shares need not sum to 1, and uneven designs are supported.
    expect(srmTest([2000, 1000, 1000], [2, 1, 1]).pValue).toBeCloseTo(1, 12);
    expect(srmTest([10, 1], [1, 0]).pValue).toBe(0);
  });
});

describe('minSampleSizePerArm', () => {
  it('matches the Fleiss formula value for 10% vs 15%', () => {
    expect(minSampleSizePerArm(0.1, 0.15)).toBe(686);
    expect(minSampleSizePerArm(0.15, 0.1)).toBe(686);
    expect(minSampleSizePerArm(0.3, 0.3)).toBe(Infinity);
  });
  it('gives the promised power in simulation (≈ 80 %)', () => {
    const n = minSampleSizePerArm(0.3, 0.4);
    const rng = createRng(9);
    let rejected = 0;
    const runs = 400;
    for (let run = 0; run < runs; run++) {
      let a = 0;
      let b = 0;
      for (let i = 0; i < n; i++) {
        if (rng.next() < 0.3) a++;
        if (rng.next() < 0.4) b++;
      }
      if (twoProportionZTest(a, n, b, n).pValue < 0.05) rejected++;
    }
    expect(rejected / runs).toBeGreaterThan(0.73);
    expect(rejected / runs).toBeLessThan(0.87);
  });
});
