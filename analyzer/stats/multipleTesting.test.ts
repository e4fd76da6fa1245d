import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bhQValues, bhReject } from './multipleTesting.js';
import { createRng } from './rng.js';

const pValues = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 60 });

describe('bhQValues', () => {
  it('matches a hand-computed example', () => {
    const q = bhQValues([0.01, 0.04, 0.03, 0.5]);
    expect(q[0]).toBeCloseTo(0.04, 12);
    expect(q[1]).toBeCloseTo(0.16 / 3, 12);
    expect(q[2]).toBeCloseTo(0.16 / 3, 12);
    expect(q[3]).toBeCloseTo(0.5, 12);
  });
  it('is ≥ p, ≤ 1 and monotone in p', () => {
    fc.assert(
      fc.property(pValues, (p) => {
        const q = bhQValues(p);
        for (let i = 0; i < p.length; i++) {
          expect(q[i]).toBeGreaterThanOrEqual(p[i]);
          expect(q[i]).toBeLessThanOrEqual(1);
          for (let j = 0; j < p.length; j++) if (p[i] <= p[j]) expect(q[i]).toBeLessThanOrEqual(q[j]);
        }
      }),
    );
  });
  it('rejects exactly what the BH step-up procedure rejects', () => {
    fc.assert(
      fc.property(pValues, fc.constantFrom(0.01, 0.05, 0.1, 0.2), (p, fdr) => {
        const m = p.length;
        const sorted = [...p].sort((a, b) => a - b);
        let k = 0;
        for (let i = 1; i <= m; i++) if (sorted[i - 1] <= (i / m) * fdr) k = i;
        const threshold = k > 0 ? sorted[k - 1] : -1;
        const ours = bhReject(p, fdr);
        // Compare with a tolerance band around the threshold to avoid float ties in m·p/i.
        p.forEach((pi, i) => {
          if (Math.abs(pi - threshold) > 1e-12) expect(ours[i]).toBe(pi <= threshold);
        });
      }),
    );
  });
  it('keeps the false discovery proportion near the target on mixed nulls', () => {
    const rng = createRng(2);
    let fdpSum = 0;
    const runs = 200;
    for (let run = 0; run < runs; run++) {
      const p: number[] = [];
      for (let i = 0; i < 80; i++) p.push(rng.next()); // true nulls
      for (let i = 0; i < 20; i++) p.push(rng.next() * 1e-4); // real effects
      const rej = bhReject(p, 0.1);
      let rejected = 0;
      let falseRej = 0;
      rej.forEach((r, i) => {
        if (r) {
          rejected++;
          if (i < 80) falseRej++;
        }
      });
      fdpSum += rejected > 0 ? falseRej / rejected : 0;
    }
    expect(fdpSum / runs).toBeLessThanOrEqual(0.1);
  });
  it('treats NaN as 1', () => {
    expect(bhQValues([NaN, 0.001])).toEqual([1, 0.002]);
  });
});
