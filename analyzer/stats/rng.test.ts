import { describe, expect, it } from 'vitest';
import { createRng } from './rng.js';

function moments(draw: () => number, n: number): { mean: number; variance: number } {
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < n; i++) {
    const v = draw();
    sum += v;
    sumSq += v * v;
  }
  const mean = sum / n;
  return { mean, variance: sumSq / n - mean * mean };
}

describe('createRng', () => {
  it('is reproducible per seed and differs between seeds', () => {
    const a = createRng(123);
    const b = createRng(123);
    const c = createRng(124);
    const sa = Array.from({ length: 10 }, () => a.next());
    expect(Array.from({ length: 10 }, () => b.next())).toEqual(sa);
    expect(Array.from({ length: 10 }, () => c.next())).not.toEqual(sa);
    expect(sa.every((u) => u >= 0 && u < 1)).toBe(true);
  });
  it('gives uniform draws with mean ½ and variance 1/12, and fair integers', () => {
    const rng = createRng(1);
    const m = moments(() => rng.next(), 200_000);
    expect(m.mean).toBeCloseTo(0.5, 2);
    expect(m.variance).toBeCloseTo(1 / 12, 3);
    const counts = new Array(6).fill(0);
    for (let i = 0; i < 60_000; i++) counts[rng.int(6)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400);
  });
  it('samples normal, gamma and beta with the right first two moments', () => {
    const rng = createRng(2);
    const n = 100_000;
    const z = moments(() => rng.normal(), n);
    expect(Math.abs(z.mean)).toBeLessThan(0.015);
    expect(Math.abs(z.variance - 1)).toBeLessThan(0.02);
    for (const shape of [0.3, 1, 4.5]) {
      const g = moments(() => rng.gamma(shape), n);
      expect(Math.abs(g.mean - shape) / shape).toBeLessThan(0.03);
      expect(Math.abs(g.variance - shape) / shape).toBeLessThan(0.06);
    }
    const [a, b] = [2, 5];
    const beta = moments(() => rng.beta(a, b), n);
    expect(beta.mean).toBeCloseTo(a / (a + b), 2);
    expect(beta.variance).toBeCloseTo((a * b) / ((a + b) ** 2 * (a + b + 1)), 3);
  });
  it('rejects a non-positive gamma shape', () => {
    expect(() => createRng(1).gamma(0)).toThrow(RangeError);
  });
});
