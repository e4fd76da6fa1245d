import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitGrouped, scoreTest } from './forwardLogistic.js';
import type { Cell } from './forwardLogistic.js';

const table = fc.record({ a: fc.integer({ min: 1, max: 60 }), b: fc.integer({ min: 1, max: 60 }), c: fc.integer({ min: 1, max: 60 }), d: fc.integer({ min: 1, max: 60 }) });

describe('scoreTest', () => {
  it('for one stratum and one feature equals Pearson chi-square of the 2×2 table', () => {
    fc.assert(
      fc.property(table, (t) => {
        const cells: Cell[] = [
          { stratum: 0, features: [0], n: t.a + t.b, s: t.a },
          { stratum: 0, features: [], n: t.c + t.d, s: t.c },
        ];
        const r = scoreTest(cells, fitGrouped(cells, 1, []), 1, 0);
        const n = t.a + t.b + t.c + t.d;
        const pearson = (n * (t.a * t.d - t.b * t.c) ** 2) / ((t.a + t.b) * (t.c + t.d) * (t.a + t.c) * (t.b + t.d));
        const cross = t.a * t.d - t.b * t.c;
        // An independent table (ad = bc) leaves u at rounding noise, of either sign.
        const signOk = cross === 0 ? Math.abs(r?.u ?? 0) <= 1e-9 * n : Math.sign(r?.u ?? 0) === Math.sign(cross);
        return r !== null && Math.abs(r.chiSquare - pearson) <= 1e-6 * Math.max(1, pearson) && signOk;
      }),
    );
  });

  it('gives nothing for a feature with the same runs as one already in the model', () => {
    const cells: Cell[] = [
      { stratum: 0, features: [0, 1], n: 50, s: 10 },
      { stratum: 0, features: [], n: 200, s: 160 },
    ];
    const fit = fitGrouped(cells, 1, [0]);
    expect(scoreTest(cells, fit, 1, 1)).toBeNull();
    expect(fit.p[0]).toBeCloseTo(0.2, 3);
    expect(fit.p[1]).toBeCloseTo(0.8, 3);
  });

  it('adjusts for the model: a feature that only rode along with a bad one has no effect left', () => {
    // Feature 1 sits mostly on runs of feature 0 (which fails); on its own it does nothing.
    const cells: Cell[] = [
      { stratum: 0, features: [0, 1], n: 100, s: 20 },
      { stratum: 0, features: [0], n: 20, s: 4 },
      { stratum: 0, features: [1], n: 30, s: 24 },
      { stratum: 0, features: [], n: 300, s: 240 },
    ];
    const before = scoreTest(cells, fitGrouped(cells, 1, []), 1, 1)!;
    const after = scoreTest(cells, fitGrouped(cells, 1, [0]), 1, 1)!;
    expect(before.pValue).toBeLessThan(1e-10);
    expect(after.pValue).toBeGreaterThan(0.5);
  });

  it('keeps a fit finite when every run with a feature fails', () => {
    const cells: Cell[] = [
      { stratum: 0, features: [0], n: 40, s: 0 },
      { stratum: 0, features: [], n: 100, s: 70 },
      { stratum: 1, features: [], n: 100, s: 100 },
    ];
    const fit = fitGrouped(cells, 2, [0]);
    for (const x of [...fit.alpha, ...fit.beta, ...fit.p]) expect(Number.isFinite(x)).toBe(true);
    expect(fit.p[0]).toBeLessThan(0.01);
  });
});
