import { linearRegression } from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import { firstCrossing, holtForecast, linearTrendForecast } from './forecast.js';
import { createRng } from './rng.js';

describe('holtForecast', () => {
  it('extrapolates an exact line exactly with a zero-width interval', () => {
    const y = Array.from({ length: 50 }, (_, t) => 5 + 2 * t);
    const f = holtForecast(y, { horizon: 10 });
    expect(f.mean[9]).toBeCloseTo(5 + 2 * 59, 8);
    expect(f.upper[9] - f.lower[9]).toBeCloseTo(0, 8);
  });
  it('recovers a noisy linear trend', () => {
    const rng = createRng(31);
    const y = Array.from({ length: 300 }, (_, t) => 100 + 0.5 * t + rng.normal() * 2);
    const f = holtForecast(y, { horizon: 20 });
    expect(f.slope).toBeGreaterThan(0.4);
    expect(f.slope).toBeLessThan(0.6);
    const truth = 100 + 0.5 * 319;
    expect(f.lower[19]).toBeLessThan(truth);
    expect(f.upper[19]).toBeGreaterThan(truth);
    expect(f.upper[19] - f.lower[19]).toBeGreaterThan(f.upper[0] - f.lower[0]);
  });
  it('has near-nominal interval coverage on data from its own state-space model', () => {
    const rng = createRng(32);
    const runs = 300;
    const h = 5;
    let covered = 0;
    for (let run = 0; run < runs; run++) {
      // ETS(A,A,N) with α = 0.5, β = α·β* = 0.1, σ = 1
      let level = 50;
      let slope = 0.3;
      const y: number[] = [];
      for (let t = 0; t < 200 + h; t++) {
        const e = rng.normal();
        y.push(level + slope + e);
        level = level + slope + 0.5 * e;
        slope = slope + 0.1 * e;
      }
      const f = holtForecast(y.slice(0, 200), { horizon: h });
      const actual = y[200 + h - 1];
      if (actual >= f.lower[h - 1] && actual <= f.upper[h - 1]) covered++;
    }
    expect(covered / runs).toBeGreaterThan(0.88);
    expect(covered / runs).toBeLessThan(0.99);
  });
  it('degrades gracefully on very short series', () => {
    expect(holtForecast([3], { horizon: 2 }).mean).toEqual([3, 3]);
    const two = holtForecast([3, 5], { horizon: 2 });
    expect(two.mean).toEqual([7, 9]);
    expect(Number.isNaN(two.lower[0])).toBe(true);
    expect(() => holtForecast([1, 2, 3], { horizon: 0 })).toThrow(RangeError);
  });
});

describe('linearTrendForecast', () => {
  it('agrees with simple-statistics on slope and intercept', () => {
    const rng = createRng(33);
    const y = Array.from({ length: 80 }, (_, t) => 3 - 0.25 * t + rng.normal());
    const f = linearTrendForecast(y, { horizon: 1 });
    const ref = linearRegression(y.map((v, t) => [t, v]));
    expect(f.slope).toBeCloseTo(ref.m, 10);
    expect(f.mean[0]).toBeCloseTo(ref.b + ref.m * 80, 10);
  });
  it('has near-nominal coverage under its Gaussian-error assumption, even for small n', () => {
    const rng = createRng(34);
    let covered = 0;
    const runs = 1000;
    for (let run = 0; run < runs; run++) {
      const y = Array.from({ length: 8 }, (_, t) => 10 + t + rng.normal());
      const f = linearTrendForecast(y, { horizon: 3, level: 0.9 });
      if (Math.abs(10 + 10 + rng.normal() - f.mean[2]) <= (f.upper[2] - f.lower[2]) / 2) covered++;
    }
    expect(covered / runs).toBeGreaterThan(0.87);
    expect(covered / runs).toBeLessThan(0.93);
  });
});

describe('firstCrossing', () => {
  it('returns the first step at which the chosen curve reaches the threshold', () => {
    const y = Array.from({ length: 30 }, (_, t) => 100 + 10 * t); // last = 390
    const f = linearTrendForecast(y, { horizon: 10 });
    expect(firstCrossing(f, 425)).toBe(4); // 390 + 40 = 430 ≥ 425 at h = 4
    expect(firstCrossing(f, 1000)).toBeNull();
    expect(firstCrossing(f, 395, { direction: 'below' })).toBe(null);
    const rng = createRng(35);
    const noisy = holtForecast(y.map((v) => v + rng.normal() * 5), { horizon: 10 });
    const optimistic = firstCrossing(noisy, 450, { bound: 'upper' })!;
    const expected = firstCrossing(noisy, 450)!;
    expect(optimistic).toBeLessThanOrEqual(expected);
  });
});
