import { describe, expect, it } from 'vitest';
import { createRng } from './rng.js';
import { chooseArm, probabilityBest } from './thompson.js';

describe('chooseArm', () => {
  it('is deterministic for a seed and mostly picks the clearly better arm', () => {
    const arms = [
      { successes: 80, failures: 20 },
      { successes: 50, failures: 50 },
    ];
    const a = Array.from({ length: 50 }, ((rng) => () => chooseArm(arms, rng))(createRng(4)));
    const b = Array.from({ length: 50 }, ((rng) => () => chooseArm(arms, rng))(createRng(4)));
    expect(a).toEqual(b);
    expect(a.filter((i) => i === 0).length).toBeGreaterThanOrEqual(49);
    expect(chooseArm([], createRng(1))).toBe(-1);
  });
  it('converges to the best arm in a simulated bandit', () => {
    const truth = [0.3, 0.5, 0.7];
    const arms = truth.map(() => ({ successes: 0, failures: 0 }));
    const rng = createRng(8);
    let lastPulls = 0;
    for (let t = 0; t < 3000; t++) {
      const i = chooseArm(arms, rng);
      if (rng.next() < truth[i]) arms[i].successes++;
      else arms[i].failures++;
      if (t >= 2000 && i === 2) lastPulls++;
    }
    expect(lastPulls / 1000).toBeGreaterThan(0.9);
  });
});

describe('probabilityBest', () => {
  it('sums to 1, splits evenly for identical arms and matches the closed form for two arms', () => {
    const rng = createRng(12);
    const even = probabilityBest([{ successes: 3, failures: 3 }, { successes: 3, failures: 3 }], rng, 20_000);
    expect(even[0] + even[1]).toBeCloseTo(1, 12);
    expect(Math.abs(even[0] - 0.5)).toBeLessThan(0.02);
    // P(Beta(2,1) > Beta(1,1)) = ∫ 2x·x dx = 2/3
    const p = probabilityBest([{ successes: 1, failures: 0 }, { successes: 0, failures: 0 }], rng, 40_000);
    expect(Math.abs(p[0] - 2 / 3)).toBeLessThan(0.015);
  });
});
