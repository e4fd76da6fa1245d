import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  betaCdf,
  betaQuantile,
  chiSquareSf,
  normalCdf,
  normalPdf,
  normalQuantile,
  studentTCdf,
  studentTQuantile,
} from './distributions.js';
import { logGamma, regularizedGammaP } from './special.js';

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

describe('logGamma', () => {
  it('matches factorials and Γ(½) = √π', () => {
    expect(logGamma(10)).toBeCloseTo(Math.log(362880), 12);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 13);
    expect(logGamma(1)).toBeCloseTo(0, 13);
    expect(rel(logGamma(171), 706.5730622457874)).toBeLessThan(1e-13);
  });
  it('satisfies Γ(x + 1) = x Γ(x)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 200, noNaN: true }), (x) => {
        expect(Math.abs(logGamma(x + 1) - logGamma(x) - Math.log(x))).toBeLessThan(1e-11 * Math.max(1, Math.abs(logGamma(x + 1))));
      }),
    );
  });
});

describe('normalCdf', () => {
  it('matches textbook values to 1e-12 relative, including far tails', () => {
    expect(rel(normalCdf(1.96), 0.9750021048517795)).toBeLessThan(1e-13);
    expect(rel(normalCdf(-1), 0.15865525393145707)).toBeLessThan(1e-13);
    expect(rel(normalCdf(-5), 2.866515718791939e-7)).toBeLessThan(1e-12);
    expect(rel(normalCdf(-10), 7.619853024160527e-24)).toBeLessThan(1e-12);
    expect(normalCdf(0)).toBe(0.5);
  });
  it('has derivative equal to the density', () => {
    fc.assert(
      fc.property(fc.double({ min: -6, max: 6, noNaN: true }), (x) => {
        const h = 1e-5;
        const deriv = (normalCdf(x + h) - normalCdf(x - h)) / (2 * h);
        expect(Math.abs(deriv - normalPdf(x))).toBeLessThan(1e-9);
      }),
    );
  });
});

describe('normalQuantile', () => {
  it('matches textbook values', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 13);
    expect(normalQuantile(0.8)).toBeCloseTo(0.8416212335729143, 13);
    expect(normalQuantile(0.5)).toBe(0);
    expect(rel(normalQuantile(1e-10), -6.361340902404056)).toBeLessThan(1e-12);
  });
  it('inverts normalCdf to 1e-12 relative in probability', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-15, max: 1 - 1e-12, noNaN: true }), (p) => {
        expect(rel(normalCdf(normalQuantile(p)), p)).toBeLessThan(1e-10);
      }),
    );
  });
});

describe('chiSquareSf', () => {
  it('gives 0.05 at the textbook critical values', () => {
    expect(chiSquareSf(3.841458820694124, 1)).toBeCloseTo(0.05, 12);
    expect(chiSquareSf(5.991464547107979, 2)).toBeCloseTo(0.05, 12);
    expect(chiSquareSf(18.307038053275146, 10)).toBeCloseTo(0.05, 12);
  });
  it('equals exp(−x/2) for 2 degrees of freedom', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 200, noNaN: true }), (x) => {
        expect(rel(chiSquareSf(x, 2), Math.exp(-x / 2))).toBeLessThan(1e-12);
      }),
    );
  });
  it('is complementary to the lower incomplete gamma', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.5, max: 100, noNaN: true }), fc.integer({ min: 1, max: 50 }), (x, k) => {
        expect(Math.abs(chiSquareSf(x, k) + regularizedGammaP(k / 2, x / 2) - 1)).toBeLessThan(1e-13);
      }),
    );
  });
});

describe('studentTCdf / studentTQuantile', () => {
  it('matches textbook critical values', () => {
    expect(studentTQuantile(0.975, 10)).toBeCloseTo(2.228138851986274, 11);
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.706204736174698, 9);
    expect(studentTQuantile(0.995, 30)).toBeCloseTo(2.749995653567335, 10);
    expect(studentTCdf(2.228138851986274, 10)).toBeCloseTo(0.975, 12);
    // df = 1 is Cauchy: F(t) = ½ + atan(t)/π
    expect(studentTCdf(3, 1)).toBeCloseTo(0.5 + Math.atan(3) / Math.PI, 13);
  });
  it('approaches the normal for large df and round-trips', () => {
    expect(studentTQuantile(0.975, 1e7)).toBeCloseTo(1.959963984540054, 5);
    fc.assert(
      fc.property(fc.double({ min: 1e-6, max: 1 - 1e-6, noNaN: true }), fc.double({ min: 0.5, max: 1000, noNaN: true }), (p, df) => {
        expect(Math.abs(studentTCdf(studentTQuantile(p, df), df) - p)).toBeLessThan(1e-10);
      }),
    );
  });
});

describe('betaQuantile', () => {
  it('inverts betaCdf across shapes, including large posteriors', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-6, max: 1 - 1e-6, noNaN: true }),
        fc.double({ min: 0.5, max: 1e5, noNaN: true }),
        fc.double({ min: 0.5, max: 1e5, noNaN: true }),
        (p, a, b) => {
          const x = betaQuantile(p, a, b);
          // Near 1 the true quantile can fall between two doubles (e.g. b = ½,
          // a = 3e4, p → 1 puts 1 − x below one ulp), so ask for p to be
          // bracketed by the CDF one ulp either side, with a 1e-9 slack.
          const ulp = 2 * Number.EPSILON * Math.max(x, 1e-300);
          expect(betaCdf(x - ulp, a, b) - 1e-9).toBeLessThanOrEqual(p);
          expect(betaCdf(Math.min(1, x + ulp), a, b) + 1e-9).toBeGreaterThanOrEqual(p);
        },
      ),
    );
  });
  it('matches the uniform and a closed form', () => {
    expect(betaQuantile(0.3, 1, 1)).toBeCloseTo(0.3, 13);
    // Beta(2, 1): F(x) = x², so the quantile is √p
    expect(betaQuantile(0.49, 2, 1)).toBeCloseTo(0.7, 12);
  });
});
