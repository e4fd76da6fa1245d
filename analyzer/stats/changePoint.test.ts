import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binarySegmentation, estimateNoiseVariance, peltMeanChanges, singleChangePoint } from './changePoint.js';
import { createRng } from './rng.js';

function sse(y: number[], s: number, t: number): number {
  let m = 0;
  for (let i = s; i < t; i++) m += y[i];
  m /= t - s;
  let c = 0;
  for (let i = s; i < t; i++) c += (y[i] - m) ** 2;
  return c;
}

/** Objective of a segmentation: Σ SSE/σ² + penalty·#changes. */
function objective(y: number[], cps: number[], variance: number, penalty: number): number {
  const b = [0, ...cps, y.length];
  let total = penalty * cps.length;
  for (let i = 0; i + 1 < b.length; i++) total += sse(y, b[i], b[i + 1]) / variance;
  return total;
}

/** Brute-force optimal partitioning (O(n²) DP, no pruning). */
function optimalPartitioning(y: number[], variance: number, penalty: number, minSeg: number): number {
  const n = y.length;
  const f = new Array<number>(n + 1).fill(Infinity);
  f[0] = -penalty;
  for (let t = minSeg; t <= n; t++)
    for (let s = 0; s <= t - minSeg; s++) if (f[s] < Infinity) f[t] = Math.min(f[t], f[s] + sse(y, s, t) / variance + penalty);
  return f[n];
}

function noisyStep(rng: ReturnType<typeof createRng>, n: number, at: number[], jumps: number[]): number[] {
  return Array.from({ length: n }, (_, i) => {
    let level = 10;
    at.forEach((a, k) => {
      if (i >= a) level += jumps[k];
    });
    return level + rng.normal();
  });
}

describe('peltMeanChanges', () => {
  it('reaches the exact optimal-partitioning objective on small series', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 0, maxLength: 40 }),
        fc.integer({ min: 1, max: 4 }),
        fc.double({ min: 0.5, max: 8, noNaN: true }),
        (ints, minSeg, penalty) => {
          const y = ints.map((v, i) => v + (i > ints.length / 2 ? 4 : 0));
          const r = peltMeanChanges(y, { variance: 1, penalty, minSegmentLength: minSeg });
          if (y.length < 2 * minSeg) {
            expect(r.changePoints).toEqual([]);
            return;
          }
          const got = objective(y, r.changePoints, 1, penalty);
          expect(got).toBeCloseTo(optimalPartitioning(y, 1, penalty, minSeg), 8);
          for (const seg of r.segments) expect(seg.end - seg.start).toBeGreaterThanOrEqual(minSeg);
        },
      ),
    );
  });

  it('finds an injected 2σ mean shift within a few indices', () => {
    // Localisation error shrinks like 1/jump²; at 2σ it is within ±3 about 95 % of the time.
    const rng = createRng(21);
    let near = 0;
    for (let run = 0; run < 40; run++) {
      const at = 100 + Math.floor(rng.next() * 300);
      const y = noisyStep(rng, 500, [at], [2]);
      const { changePoints } = peltMeanChanges(y);
      expect(changePoints.length).toBeGreaterThanOrEqual(1);
      expect(changePoints.some((c) => Math.abs(c - at) <= 10)).toBe(true);
      if (changePoints.some((c) => Math.abs(c - at) <= 3)) near++;
    }
    expect(near).toBeGreaterThanOrEqual(34);
  });

  it('rarely reports a change on pure noise', () => {
    const rng = createRng(22);
    let alarms = 0;
    for (let run = 0; run < 100; run++) if (peltMeanChanges(noisyStep(rng, 300, [], [])).changePoints.length > 0) alarms++;
    expect(alarms).toBeLessThanOrEqual(10);
  });

  it('handles constant, tiny and piecewise-constant series', () => {
    expect(peltMeanChanges(new Array(100).fill(5)).changePoints).toEqual([]);
    expect(peltMeanChanges([]).segments).toEqual([]);
    expect(peltMeanChanges([1]).changePoints).toEqual([]);
    const steps = [...new Array(30).fill(1), ...new Array(30).fill(4), ...new Array(30).fill(2)];
    const r = peltMeanChanges(steps);
    expect(r.changePoints).toEqual([30, 60]);
    r.segments.forEach((s, i) => expect(s.mean).toBeCloseTo([1, 4, 2][i], 12));
  });
});

describe('binarySegmentation', () => {
  it('finds two well-separated shifts', () => {
    const rng = createRng(23);
    const y = noisyStep(rng, 3000, [1000, 2000], [2, -3]);
    const { changePoints } = binarySegmentation(y);
    expect(changePoints.length).toBe(2);
    expect(Math.abs(changePoints[0] - 1000)).toBeLessThanOrEqual(5);
    expect(Math.abs(changePoints[1] - 2000)).toBeLessThanOrEqual(5);
  });
});

describe('singleChangePoint', () => {
  it('locates a clean step exactly and reports its strength', () => {
    const y = [...new Array(40).fill(3), ...new Array(60).fill(7)];
    const r = singleChangePoint(y)!;
    expect(r.index).toBe(40);
    expect(r.meanBefore).toBeCloseTo(3, 12);
    expect(r.meanAfter).toBeCloseTo(7, 12);
    expect(r.rSquared).toBeCloseTo(1, 12);
  });
  it('finds a noisy shift and gives a larger z than on noise', () => {
    const rng = createRng(24);
    const shifted = singleChangePoint(noisyStep(rng, 400, [250], [2]))!;
    expect(Math.abs(shifted.index - 250)).toBeLessThanOrEqual(10);
    const flat = singleChangePoint(noisyStep(rng, 400, [], []))!;
    expect(shifted.z).toBeGreaterThan(flat.z + 3);
  });
  it('returns null for constant or too-short series', () => {
    expect(singleChangePoint(new Array(10).fill(2))).toBeNull();
    expect(singleChangePoint([1, 2, 3])).toBeNull();
  });
});

describe('estimateNoiseVariance', () => {
  it('recovers σ² despite level shifts', () => {
    const rng = createRng(25);
    const y = noisyStep(rng, 5000, [1000, 3000], [20, -50]).map((v) => 10 + 2 * (v - 10));
    expect(estimateNoiseVariance(y)).toBeGreaterThan(3.6);
    expect(estimateNoiseVariance(y)).toBeLessThan(4.4);
  });
});
