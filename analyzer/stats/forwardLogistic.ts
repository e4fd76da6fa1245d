import { chiSquareSf } from './distributions.js';

/**
 * Forward selection in a binomial logistic model on grouped data: log-odds of success =
 * an intercept per stratum (task type) + one coefficient per selected binary feature. Rows with
 * the same stratum and features are one cell (n runs, s successes), so a history of millions of
 * runs is a few hundred cells. Candidates are ranked by the score (Rao) test of adding them to
 * the current model — one fit per step, not one per candidate — which for one stratum and one
 * feature is exactly Pearson's chi-square of the 2×2 table.
 */

/** Runs that share a stratum and a feature set. */
export interface Cell {
  stratum: number;
  /** Indices of the candidate features the cell's runs have. */
  features: readonly number[];
  n: number;
  s: number;
}

export interface LogisticFit {
  /** Intercept per stratum, then one coefficient per selected feature. */
  alpha: Float64Array;
  beta: Float64Array;
  selected: readonly number[];
  /** Fitted success probability per cell. */
  p: Float64Array;
}

export interface ScoreTest {
  /** Observed minus expected successes of the candidate's runs: < 0 fails more than the model predicts. */
  u: number;
  chiSquare: number;
  pValue: number;
}

/** Ridge on feature coefficients: keeps a feature whose runs all fail (separation) finite; far too small to matter otherwise. */
const RIDGE = 1e-3;

/** Fits the model with the given selected features by Newton's method (IRLS), O(cells · d²) per step. */
export function fitGrouped(cells: readonly Cell[], strata: number, selected: readonly number[], maxIterations = 30): LogisticFit {
  const d = strata + selected.length;
  const col = new Map(selected.map((f, j) => [f, strata + j]));
  const cols = cells.map((c) => [c.stratum, ...c.features.flatMap((f) => (col.has(f) ? [col.get(f)!] : []))]);
  const theta = new Float64Array(d);
  // Start each stratum at its observed log-odds (shrunk away from 0 and 1).
  const ns = new Float64Array(strata);
  const ss = new Float64Array(strata);
  for (const c of cells) {
    ns[c.stratum] += c.n;
    ss[c.stratum] += c.s;
  }
  for (let k = 0; k < strata; k++) theta[k] = Math.log((ss[k] + 0.5) / (ns[k] - ss[k] + 0.5));
  const p = new Float64Array(cells.length);
  const eta = (i: number): number => cols[i].reduce((e, j) => e + theta[j], 0);
  for (let it = 0; it < maxIterations; it++) {
    const grad = new Float64Array(d);
    const hess = new Float64Array(d * d);
    for (let i = 0; i < cells.length; i++) {
      const pi = 1 / (1 + Math.exp(-eta(i)));
      p[i] = pi;
      const w = cells[i].n * pi * (1 - pi);
      const r = cells[i].s - cells[i].n * pi;
      for (const a of cols[i]) {
        grad[a] += r;
        for (const b of cols[i]) hess[a * d + b] += w;
      }
    }
    for (let j = strata; j < d; j++) {
      grad[j] -= RIDGE * theta[j];
      hess[j * d + j] += RIDGE;
    }
    for (let j = 0; j < strata; j++) hess[j * d + j] += 1e-12;
    const step = solve(hess, grad, d);
    let biggest = 0;
    for (let j = 0; j < d; j++) {
      // Damped: a separated feature walks out in bounded steps instead of jumping to ±∞.
      const s = Math.max(-5, Math.min(5, step[j]));
      theta[j] += s;
      biggest = Math.max(biggest, Math.abs(s));
    }
    if (biggest < 1e-9) break;
  }
  for (let i = 0; i < cells.length; i++) p[i] = 1 / (1 + Math.exp(-eta(i)));
  return { alpha: theta.slice(0, strata), beta: theta.slice(strata), selected: [...selected], p };
}

/**
 * Score test of adding `candidate` to a fitted model: U = Σ x(s − n·p), its variance
 * xᵀWx − bᵀ(ZᵀWZ)⁻¹b with b = ZᵀWx. Null when the candidate adds nothing the model cannot
 * already express (its column is a combination of the model's: same runs as a selected feature).
 */
export function scoreTest(cells: readonly Cell[], fit: LogisticFit, strata: number, candidate: number): ScoreTest | null {
  const d = strata + fit.selected.length;
  const col = new Map(fit.selected.map((f, j) => [f, strata + j]));
  const zwz = new Float64Array(d * d);
  const b = new Float64Array(d);
  let u = 0;
  let xwx = 0;
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i];
    const w = c.n * fit.p[i] * (1 - fit.p[i]);
    const cols = [c.stratum, ...c.features.flatMap((f) => (col.has(f) ? [col.get(f)!] : []))];
    for (const a of cols) for (const bb of cols) zwz[a * d + bb] += w;
    if (!c.features.includes(candidate)) continue;
    u += c.s - c.n * fit.p[i];
    xwx += w;
    for (const a of cols) b[a] += w;
  }
  for (let j = strata; j < d; j++) zwz[j * d + j] += RIDGE;
  for (let j = 0; j < strata; j++) zwz[j * d + j] += 1e-12;
  const v = solve(zwz, b, d);
  let variance = xwx;
  for (let j = 0; j < d; j++) variance -= b[j] * v[j];
  // The ridge leaves a residual of order RIDGE on a column the model already has; one run of its own weighs far more.
  if (!(xwx > 0) || variance <= Math.max(1e-9 * xwx, 10 * RIDGE)) return null;
  const chiSquare = (u * u) / variance;
  return { u, chiSquare, pValue: chiSquareSf(chiSquare, 1) };
}

/** Solves the symmetric positive-definite system A·x = y by Cholesky (A is d×d, row-major). */
function solve(a: Float64Array, y: Float64Array, d: number): Float64Array {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * d + j];
      for (let k = 0; k < j; k++) sum -= l[i * d + k] * l[j * d + k];
      l[i * d + j] = i === j ? Math.sqrt(Math.max(sum, 1e-300)) : sum / l[j * d + j];
    }
  }
  const z = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let sum = y[i];
    for (let k = 0; k < i; k++) sum -= l[i * d + k] * z[k];
    z[i] = sum / l[i * d + i];
  }
  const x = new Float64Array(d);
  for (let i = d - 1; i >= 0; i--) {
    let sum = z[i];
    for (let k = i + 1; k < d; k++) sum -= l[k * d + i] * x[k];
    x[i] = sum / l[i * d + i];
  }
  return x;
}
