/**
 * L2-regularised logistic regression for the success/failure classifier.
 * Chosen for explainability: each feature's push on the log-odds is one
 * number per prediction, and the fitted probabilities are reasonably
 * calibrated out of the box.
 */

/** A fitted model. Weights apply to standardised features (x − mean)/std. */
export interface LogisticModel {
  /** One weight per feature, on the standardised scale (comparable across features). */
  weights: number[];
  /** Intercept: the log-odds at the mean feature vector. */
  intercept: number;
  featureMeans: number[];
  /** Population standard deviations; 1 for constant features (whose weight is then 0). */
  featureStds: number[];
  featureNames: string[];
  lambda: number;
  iterations: number;
  converged: boolean;
}

export interface LogisticFitOptions {
  /**
   * L2 penalty λ on the standardised weights (not the intercept); the fit
   * minimises −log-likelihood + λ/2·‖w‖². Default 1. λ > 0 keeps the optimum
   * finite on separable data, where plain maximum likelihood diverges.
   */
  lambda?: number;
  /** Newton iterations cap (default 50; it usually converges in < 10). */
  maxIterations?: number;
  /** Stop when the largest Newton step component falls below this (default 1e-9). */
  tolerance?: number;
  /** Names used by {@link explainPrediction}; defaults to x0, x1, …. */
  featureNames?: string[];
}

/**
 * Fits the model by Newton's method (IRLS) on standardised features: each
 * step solves (XᵀWX + λI)δ = −∇ by Cholesky, with step halving whenever the
 * penalised objective would not decrease. O(n·d²) per iteration, one n×d
 * buffer allocated. Labels are 0/1 (any value > 0.5 counts as 1).
 *
 * @example
 * const model = fitLogistic(rows, outcomes, { lambda: 1, featureNames: ['ctx_kb', 'team_size'] });
 * predictProba(model, [12, 3]);
 */
export function fitLogistic(X: ReadonlyArray<ArrayLike<number>>, y: ArrayLike<number>, options: LogisticFitOptions = {}): LogisticModel {
  const n = X.length;
  if (n === 0 || y.length !== n) throw new RangeError('fitLogistic needs a non-empty X with one label per row');
  const d = X[0].length;
  const lambda = options.lambda ?? 1;
  if (!(lambda >= 0)) throw new RangeError(`lambda must be ≥ 0, got ${lambda}`);
  const maxIterations = options.maxIterations ?? 50;
  const tolerance = options.tolerance ?? 1e-9;

  const means = new Array<number>(d).fill(0);
  const stds = new Array<number>(d).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) means[j] += X[i][j];
  for (let j = 0; j < d; j++) means[j] /= n;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < d; j++) {
      const c = X[i][j] - means[j];
      stds[j] += c * c;
    }
  for (let j = 0; j < d; j++) {
    const s = Math.sqrt(stds[j] / n);
    stds[j] = s > 0 ? s : 1;
  }

  // Parameter vector θ = [intercept, w_1..w_d]; design column 0 is the constant 1.
  const p = d + 1;
  const Z = new Float64Array(n * d);
  const labels = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = y[i] > 0.5 ? 1 : 0;
    for (let j = 0; j < d; j++) Z[i * d + j] = (X[i][j] - means[j]) / stds[j];
  }
  const theta = new Float64Array(p);
  const grad = new Float64Array(p);
  const hess = new Float64Array(p * p);
  const step = new Float64Array(p);
  const trial = new Float64Array(p);

  const objective = (t: Float64Array): number => {
    let f = 0;
    for (let i = 0; i < n; i++) {
      const eta = linear(t, Z, i, d);
      f += softplus(eta) - labels[i] * eta;
    }
    for (let j = 1; j < p; j++) f += 0.5 * lambda * t[j] * t[j];
    return f;
  };

  let current = objective(theta);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    iterations++;
    grad.fill(0);
    hess.fill(0);
    for (let i = 0; i < n; i++) {
      const mu = sigmoid(linear(theta, Z, i, d));
      const r = mu - labels[i];
      const w = mu * (1 - mu);
      const row = i * d;
      grad[0] += r;
      hess[0] += w;
      for (let a = 1; a < p; a++) {
        const za = Z[row + a - 1];
        grad[a] += r * za;
        const wza = w * za;
        hess[a * p] += wza;
        for (let b = 1; b <= a; b++) hess[a * p + b] += wza * Z[row + b - 1];
      }
    }
    for (let a = 1; a < p; a++) {
      grad[a] += lambda * theta[a];
      hess[a * p + a] += lambda;
    }
    // A tiny ridge keeps the intercept's pivot positive when every μ saturates.
    hess[0] += 1e-12 * n;
    solveCholesky(hess, grad, step, p);

    let scale = 1;
    let next = current;
    for (let halvings = 0; halvings < 40; halvings++) {
      for (let j = 0; j < p; j++) trial[j] = theta[j] - scale * step[j];
      next = objective(trial);
      if (next <= current) break;
      scale /= 2;
    }
    let maxStep = 0;
    for (let j = 0; j < p; j++) maxStep = Math.max(maxStep, Math.abs(theta[j] - trial[j]));
    if (next <= current) {
      theta.set(trial);
      current = next;
    }
    if (maxStep < tolerance || next > current) {
      converged = maxStep < tolerance || scale < 1e-9;
      break;
    }
  }

  const featureNames = options.featureNames ?? Array.from({ length: d }, (_, j) => `x${j}`);
  return {
    weights: Array.from(theta.subarray(1)),
    intercept: theta[0],
    featureMeans: means,
    featureStds: stds,
    featureNames,
    lambda,
    iterations,
    converged,
  };
}

/** Predicted probability of the positive class for one raw (unstandardised) row. */
export function predictProba(model: LogisticModel, row: ArrayLike<number>): number {
  return sigmoid(predictLogit(model, row));
}

/** Log-odds for one raw row: intercept + Σ w_j·(x_j − mean_j)/std_j. */
export function predictLogit(model: LogisticModel, row: ArrayLike<number>): number {
  let eta = model.intercept;
  for (let j = 0; j < model.weights.length; j++) eta += (model.weights[j] * (row[j] - model.featureMeans[j])) / model.featureStds[j];
  return eta;
}

/** One feature's push on a prediction, in log-odds. */
export interface FeatureContribution {
  feature: string;
  index: number;
  value: number;
  /** w_j·(x_j − mean_j)/std_j: positive raises the predicted probability. */
  contribution: number;
}

/** Per-feature explanation of one prediction. */
export interface PredictionExplanation {
  /** Log-odds of an average row (the intercept). */
  baseLogit: number;
  logit: number;
  probability: number;
  /** Sorted by |contribution|, largest first; baseLogit + Σ contribution = logit. */
  contributions: FeatureContribution[];
}

/**
 * Explains one prediction exactly (the model is additive in log-odds): how
 * far each feature moves this row's log-odds away from those of the average
 * row.
 */
export function explainPrediction(model: LogisticModel, row: ArrayLike<number>): PredictionExplanation {
  const contributions: FeatureContribution[] = model.weights.map((w, j) => ({
    feature: model.featureNames[j] ?? `x${j}`,
    index: j,
    value: row[j],
    contribution: (w * (row[j] - model.featureMeans[j])) / model.featureStds[j],
  }));
  const logit = model.intercept + contributions.reduce((s, c) => s + c.contribution, 0);
  contributions.sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
  return { baseLogit: model.intercept, logit, probability: sigmoid(logit), contributions };
}

/** Numerically stable logistic function. */
export function sigmoid(eta: number): number {
  if (eta >= 0) return 1 / (1 + Math.exp(-eta));
  const e = Math.exp(eta);
  return e / (1 + e);
}

/** log(1 + e^η) without overflow. */
function softplus(eta: number): number {
  return eta > 0 ? eta + Math.log1p(Math.exp(-eta)) : Math.log1p(Math.exp(eta));
}

function linear(theta: Float64Array, Z: Float64Array, i: number, d: number): number {
  let eta = theta[0];
  const row = i * d;
  for (let j = 0; j < d; j++) eta += theta[j + 1] * Z[row + j];
  return eta;
}

/**
 * Solves A·x = b for symmetric positive-definite A (lower triangle filled,
 * row-major p×p), overwriting A with its Cholesky factor.
 */
function solveCholesky(A: Float64Array, b: Float64Array, x: Float64Array, p: number): void {
  for (let j = 0; j < p; j++) {
    let s = A[j * p + j];
    for (let k = 0; k < j; k++) s -= A[j * p + k] * A[j * p + k];
    const diag = Math.sqrt(Math.max(s, 1e-300));
    A[j * p + j] = diag;
    for (let i = j + 1; i < p; i++) {
      let t = A[i * p + j];
      for (let k = 0; k < j; k++) t -= A[i * p + k] * A[j * p + k];
      A[i * p + j] = t / diag;
    }
  }
  for (let i = 0; i < p; i++) {
    let t = b[i];
    for (let k = 0; k < i; k++) t -= A[i * p + k] * x[k];
    x[i] = t / A[i * p + i];
  }
  for (let i = p - 1; i >= 0; i--) {
    let t = x[i];
    for (let k = i + 1; k < p; k++) t -= A[k * p + i] * x[k];
    x[i] = t / A[i * p + i];
  }
}
