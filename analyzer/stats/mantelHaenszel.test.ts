import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mantelHaenszel } from './mantelHaenszel.js';

const table = fc.record({ a: fc.nat(40), b: fc.nat(40), c: fc.nat(40), d: fc.nat(40) });

describe('mantelHaenszel', () => {
  it('with one stratum equals the Pearson chi-square times (n − 1)/n', () => {
    fc.assert(
      fc.property(table, (t) => {
        const n = t.a + t.b + t.c + t.d;
        const r = mantelHaenszel([t]);
        const rows = [t.a + t.b, t.c + t.d];
        const cols = [t.a + t.c, t.b + t.d];
        if (n < 2 || rows.includes(0) || cols.includes(0)) return r.chiSquare === 0 && r.pValue === 1 && r.strata === 0;
        const pearson = (n * (t.a * t.d - t.b * t.c) ** 2) / (rows[0] * rows[1] * cols[0] * cols[1]);
        return Math.abs(r.chiSquare - (pearson * (n - 1)) / n) <= 1e-9 * Math.max(1, pearson);
      }),
    );
  });

  it('does not depend on the order of strata, and adding an empty stratum changes nothing', () => {
    fc.assert(
      fc.property(fc.array(table, { minLength: 1, maxLength: 6 }), (ts) => {
        const r1 = mantelHaenszel(ts);
        const r2 = mantelHaenszel([...ts].reverse().concat({ a: 0, b: 0, c: 0, d: 0 }));
        return Math.abs(r1.chiSquare - r2.chiSquare) <= 1e-9 * Math.max(1, r1.chiSquare) && r1.strata === r2.strata;
      }),
    );
  });

  it('pools evidence: the same effect in two strata is stronger than in one, opposite effects cancel', () => {
    const bad = { a: 10, b: 30, c: 70, d: 30 };
    const one = mantelHaenszel([bad]);
    const two = mantelHaenszel([bad, bad]);
    expect(two.chiSquare).toBeGreaterThan(one.chiSquare);
    expect(two.excess).toBeLessThan(0);
    expect(two.oddsRatio).toBeCloseTo((10 * 30) / (30 * 70), 9);
    const cancel = mantelHaenszel([bad, { a: 30, b: 10, c: 30, d: 70 }]);
    expect(cancel.pValue).toBeGreaterThan(0.5);
  });

  it('separates a confounded factor from strata with different base rates (Simpson)', () => {
    // Within each stratum the factor is neutral; pooled naively it would look harmful.
    const r = mantelHaenszel([{ a: 90, b: 10, c: 9, d: 1 }, { a: 2, b: 8, c: 20, d: 80 }]);
    expect(r.pValue).toBeGreaterThan(0.9);
    expect(r.oddsRatio).toBeCloseTo(1, 9);
  });
});
