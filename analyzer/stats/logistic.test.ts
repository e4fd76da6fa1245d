import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { calibration, rocAuc } from './evaluate.js';
import { explainPrediction, fitLogistic, predictLogit, predictProba, sigmoid } from './logistic.js';
import { createRng } from './rng.js';

function synthetic(seed: number, n: number, coef: number[], intercept: number): { X: number[][]; y: number[] } {
  const rng = createRng(seed);
  const X: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    // Features on very different scales, to exercise standardisation.
    const row = coef.map((_, j) => rng.normal() * 10 ** j + j);
    const eta = intercept + row.reduce((s, v, j) => s + coef[j] * (v - j), 0);
    X.push(row);
    y.push(rng.next() < sigmoid(eta) ? 1 : 0);
  }
  return { X, y };
}

describe('fitLogistic', () => {
  it('recovers known coefficients (signs and sizes) and reaches AUC > 0.8', () => {
    const coef = [1.5, -0.08, 0, 0.004]; // per raw unit; features have sd 1, 10, 100, 1000
    const { X, y } = synthetic(41, 6000, coef, 0.3);
    const model = fitLogistic(X, y, { lambda: 0.1 });
    expect(model.converged).toBe(true);
    const raw = model.weights.map((w, j) => w / model.featureStds[j]);
    expect(Math.abs(raw[0] - 1.5)).toBeLessThan(0.15);
    expect(Math.abs(raw[1] + 0.08)).toBeLessThan(0.01);
    expect(Math.abs(raw[2])).toBeLessThan(0.0015);
    expect(Math.abs(raw[3] - 0.004)).toBeLessThan(0.0005);
    const test = synthetic(42, 3000, coef, 0.3);
    const probs = test.X.map((r) => predictProba(model, r));
    expect(rocAuc(test.y, probs)).toBeGreaterThan(0.8);
    expect(calibration(test.y, probs).ece).toBeLessThan(0.04);
  });

  it('satisfies the optimality conditions of the penalised likelihood', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.double({ min: 0.01, max: 20, noNaN: true }), (seed, lambda) => {
        const { X, y } = synthetic(seed, 200, [1, -0.2, 0.01], -0.5);
        const model = fitLogistic(X, y, { lambda });
        // ∂/∂intercept: Σ(μ − y) = 0; ∂/∂w_j: Σ(μ − y)·z_j + λ·w_j = 0
        const g = new Array(4).fill(0);
        X.forEach((row, i) => {
          const r = predictProba(model, row) - y[i];
          g[0] += r;
          row.forEach((v, j) => (g[j + 1] += (r * (v - model.featureMeans[j])) / model.featureStds[j]));
        });
        model.weights.forEach((w, j) => (g[j + 1] += lambda * w));
        for (const gi of g) expect(Math.abs(gi)).toBeLessThan(1e-6);
      }),
      { numRuns: 30 },
    );
  });

  it('stays finite on perfectly separable data and classifies it', () => {
    const X = Array.from({ length: 100 }, (_, i) => [i, 7]); // second feature constant
    const y = X.map(([v]) => (v >= 50 ? 1 : 0));
    const model = fitLogistic(X, y, { lambda: 0.01 });
    expect(model.weights.every(Number.isFinite)).toBe(true);
    expect(model.weights[1]).toBe(0);
    expect(model.featureStds[1]).toBe(1);
    expect(predictProba(model, [90, 7])).toBeGreaterThan(0.95);
    expect(predictProba(model, [10, 7])).toBeLessThan(0.05);
  });
});

describe('explainPrediction', () => {
  it('decomposes the log-odds exactly, largest contribution first', () => {
    const { X, y } = synthetic(43, 500, [2, 0.01], 0);
    const model = fitLogistic(X, y, { featureNames: ['strong', 'weak'] });
    const row = [1.5, 3];
    const e = explainPrediction(model, row);
    expect(e.baseLogit + e.contributions.reduce((s, c) => s + c.contribution, 0)).toBeCloseTo(predictLogit(model, row), 12);
    expect(e.probability).toBeCloseTo(predictProba(model, row), 12);
    expect(e.contributions[0].feature).toBe('strong');
    expect(e.contributions[0].contribution).toBeGreaterThan(0);
  });
});
