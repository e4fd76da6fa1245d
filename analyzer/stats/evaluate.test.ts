import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accuracy, brierScore, calibration, logLoss, rocAuc } from './evaluate.js';
import { createRng } from './rng.js';

const labelled = fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 10 })), { minLength: 1, maxLength: 60 });

describe('rocAuc', () => {
  it('equals the brute-force pairwise definition with ties counting ½', () => {
    fc.assert(
      fc.property(labelled, (rows) => {
        const labels = rows.map((r) => r[0]);
        const scores = rows.map((r) => r[1] / 10);
        let num = 0;
        let pairs = 0;
        for (const [la, sa] of rows)
          for (const [lb, sb] of rows)
            if (la === 1 && lb === 0) {
              pairs++;
              num += sa > sb ? 1 : sa === sb ? 0.5 : 0;
            }
        const auc = rocAuc(labels, scores);
        if (pairs === 0) expect(Number.isNaN(auc)).toBe(true);
        else expect(auc).toBeCloseTo(num / pairs, 12);
      }),
    );
  });
  it('is 1 for a perfect ranking, 0 for a reversed one and ½ for a constant score', () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])).toBe(1);
    expect(rocAuc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9])).toBe(0);
    expect(rocAuc([1, 0, 1, 0], [0.5, 0.5, 0.5, 0.5])).toBe(0.5);
  });
});

describe('accuracy / brierScore / logLoss', () => {
  it('match hand-computed values', () => {
    const y = [1, 0, 1, 0];
    const p = [0.9, 0.2, 0.4, 0.6];
    expect(accuracy(y, p)).toBe(0.5);
    expect(brierScore(y, p)).toBeCloseTo((0.01 + 0.04 + 0.36 + 0.36) / 4, 12);
    expect(logLoss(y, p)).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8) + Math.log(0.4) + Math.log(0.4)) / 4, 12);
    expect(brierScore([1, 0], [0.5, 0.5])).toBe(0.25);
    expect(() => accuracy([1], [0.5, 0.5])).toThrow(RangeError);
  });
});

describe('calibration', () => {
  it('is near 0 for calibrated forecasts and large for miscalibrated ones', () => {
    const rng = createRng(51);
    const n = 20_000;
    const p: number[] = [];
    const good: number[] = [];
    const bad: number[] = [];
    for (let i = 0; i < n; i++) {
      const q = rng.next();
      p.push(q);
      good.push(rng.next() < q ? 1 : 0);
      bad.push(rng.next() < q * q ? 1 : 0);
    }
    const ok = calibration(good, p);
    expect(ok.ece).toBeLessThan(0.02);
    expect(ok.bins).toHaveLength(10);
    expect(ok.bins.reduce((s, b) => s + b.count, 0)).toBe(n);
    // E|q − q²| over uniform q = 1/6
    expect(calibration(bad, p).ece).toBeGreaterThan(0.14);
  });
  it('puts probability 1 in the last bin and reports empty bins as NaN', () => {
    const r = calibration([1, 1], [1, 1], 4);
    expect(r.bins[3].count).toBe(2);
    expect(Number.isNaN(r.bins[0].observedRate)).toBe(true);
    expect(r.ece).toBe(0);
  });
});
