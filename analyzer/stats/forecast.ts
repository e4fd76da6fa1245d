/**
 * Trend forecasts with prediction intervals for predictive alerts ("p95
 * latency will cross 2 s in ~3 h"). Steps are in the series' own spacing;
 * callers turn a step count into an ETA by multiplying by the bucket width.
 */
import { normalQuantile, studentTQuantile } from './distributions.js';
import { linearRegression } from 'simple-statistics';

/** A point forecast with a central prediction interval for steps 1..horizon. */
export interface Forecast {
  method: 'holt' | 'linear';
  /** mean[h − 1] is the forecast h steps after the last observation. */
  mean: number[];
  lower: number[];
  upper: number[];
  /** Interval coverage, e.g. 0.95. */
  level: number;
  /** Standard deviation of the in-sample one-step (Holt) or regression (linear) residuals. */
  residualSd: number;
  /** Level and slope per step at the end of the series. */
  level0: number;
  slope: number;
}

/** Fitted Holt forecast, with the smoothing parameters chosen by the grid search. */
export interface HoltForecast extends Forecast {
  method: 'holt';
  /** Level smoothing α. */
  alpha: number;
  /** Trend smoothing β* (Holt's parameterisation). */
  beta: number;
}

export interface ForecastOptions {
  /** Number of steps to forecast (≥ 1). */
  horizon: number;
  /** Prediction-interval coverage (default 0.95). */
  level?: number;
}

const COARSE = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

/**
 * Holt's linear trend (double exponential smoothing):
 * ℓ_t = α·y_t + (1 − α)(ℓ_{t−1} + b_{t−1}), b_t = β*(ℓ_t − ℓ_{t−1}) + (1 − β*)·b_{t−1},
 * initialised with ℓ = y_0, b = y_1 − y_0. α and β* minimise the sum of squared
 * one-step errors (t ≥ 2) over a 0.1 grid, refined on a 0.01 grid around the
 * best cell (202 O(n) passes, no allocation per pass).
 *
 * Intervals: mean ± z·σ·√(1 + (h − 1)[α² + αβh + β²h(2h − 1)/6]) with β = αβ*,
 * the exact h-step variance of the equivalent ETS(A,A,N) state-space model
 * (Hyndman et al. 2008, table 6.1), σ² = SSE/(m − 2) over the m one-step
 * errors, z the normal quantile. Assumes uncorrelated Gaussian one-step errors
 * and ignores parameter uncertainty, so intervals run a little narrow on
 * short series. Needs ≥ 4 points for an interval (NaN bounds otherwise).
 */
export function holtForecast(series: ArrayLike<number>, options: ForecastOptions): HoltForecast {
  const { horizon, level = 0.95 } = options;
  checkHorizon(horizon);
  const n = series.length;
  if (n === 0) throw new RangeError('holtForecast needs at least one observation');
  if (n < 3) {
    const slope = n === 2 ? series[1] - series[0] : 0;
    return { ...straightLine('holt', series[n - 1], slope, NaN, horizon, level, () => NaN), alpha: NaN, beta: NaN };
  }

  let bestAlpha = 0.5;
  let bestBeta = 0.5;
  let bestSse = Infinity;
  for (const a of COARSE)
    for (const b of COARSE) {
      const sse = holtSse(series, a, b);
      if (sse < bestSse) [bestSse, bestAlpha, bestBeta] = [sse, a, b];
    }
  const [ca, cb] = [bestAlpha, bestBeta];
  for (let i = -5; i <= 5; i++)
    for (let j = -5; j <= 5; j++) {
      const a = round2(ca + i / 100);
      const b = round2(cb + j / 100);
      if (a < 0.01 || a > 0.99 || b < 0.01 || b > 0.99) continue;
      const sse = holtSse(series, a, b);
      if (sse < bestSse) [bestSse, bestAlpha, bestBeta] = [sse, a, b];
    }

  const { levelEnd, slopeEnd } = holtState(series, bestAlpha, bestBeta);
  const m = n - 2;
  const sigma = m > 2 ? Math.sqrt(bestSse / (m - 2)) : NaN;
  const z = normalQuantile(1 - (1 - level) / 2);
  const etsBeta = bestAlpha * bestBeta;
  const a2 = bestAlpha * bestAlpha;
  const spread = (h: number): number => z * sigma * Math.sqrt(1 + (h - 1) * (a2 + bestAlpha * etsBeta * h + (etsBeta * etsBeta * h * (2 * h - 1)) / 6));
  return { ...straightLine('holt', levelEnd, slopeEnd, sigma, horizon, level, spread), alpha: bestAlpha, beta: bestBeta };
}

/**
 * Ordinary least-squares line y = a + b·t over t = 0..n−1, extrapolated.
 * Intervals are the exact Gaussian-error prediction intervals
 * mean ± t_{n−2}·s·√(1 + 1/n + (t₀ − t̄)²/S_tt), s² = SSE/(n − 2) — Student t
 * rather than z because s is estimated. Assumes independent, homoscedastic
 * errors around a straight line. Needs ≥ 3 points for an interval.
 */
export function linearTrendForecast(series: ArrayLike<number>, options: ForecastOptions): Forecast {
  const { horizon, level = 0.95 } = options;
  checkHorizon(horizon);
  const n = series.length;
  if (n === 0) throw new RangeError('linearTrendForecast needs at least one observation');
  if (n === 1) return straightLine('linear', series[0], 0, NaN, horizon, level, () => NaN);
  const tMean = (n - 1) / 2;
  // The fit itself is simple-statistics'; the prediction interval below needs S_tt and the residuals.
  const { m: slope, b: intercept } = linearRegression(Array.from({ length: n }, (_, i) => [i, series[i]!]));
  const stt = (n * (n * n - 1)) / 12; // Σ (t − t̄)² over t = 0..n−1
  let sse = 0;
  for (let i = 0; i < n; i++) {
    const r = series[i] - (intercept + slope * i);
    sse += r * r;
  }
  const s = n > 2 ? Math.sqrt(sse / (n - 2)) : NaN;
  const q = n > 2 ? studentTQuantile(1 - (1 - level) / 2, n - 2) : NaN;
  const last = n - 1;
  const spread = (h: number): number => {
    const dt = last + h - tMean;
    return q * s * Math.sqrt(1 + 1 / n + (dt * dt) / stt);
  };
  return straightLine('linear', intercept + slope * last, slope, s, horizon, level, spread);
}

export interface CrossingOptions {
  /** 'above' (default): first step where the bound is ≥ threshold; 'below': ≤ threshold. */
  direction?: 'above' | 'below';
  /** Which curve to test: 'mean' (default), or a pessimistic/optimistic interval bound. */
  bound?: 'mean' | 'lower' | 'upper';
}

/**
 * First forecast step h (1-based: h steps after the last observation) at
 * which the chosen curve reaches the threshold, or null within the horizon.
 * Use bound 'upper' with direction 'above' for an early-warning alert that
 * fires when crossing is plausible, 'mean' when it is expected.
 *
 * @example
 * const h = firstCrossing(holtForecast(p95, { horizon: 60 }), 2000); // ETA = h × bucket
 */
export function firstCrossing(forecast: Forecast, threshold: number, options: CrossingOptions = {}): number | null {
  const curve = forecast[options.bound ?? 'mean'];
  const above = (options.direction ?? 'above') === 'above';
  for (let i = 0; i < curve.length; i++) {
    const v = curve[i];
    if (above ? v >= threshold : v <= threshold) return i + 1;
  }
  return null;
}

/** SSE of one-step-ahead errors for t ≥ 2. */
function holtSse(y: ArrayLike<number>, alpha: number, beta: number): number {
  let level = y[0];
  let slope = y[1] - y[0];
  let sse = 0;
  for (let t = 1; t < y.length; t++) {
    const predicted = level + slope;
    if (t >= 2) {
      const e = y[t] - predicted;
      sse += e * e;
    }
    const nextLevel = alpha * y[t] + (1 - alpha) * predicted;
    slope = beta * (nextLevel - level) + (1 - beta) * slope;
    level = nextLevel;
  }
  return sse;
}

function holtState(y: ArrayLike<number>, alpha: number, beta: number): { levelEnd: number; slopeEnd: number } {
  let level = y[0];
  let slope = y[1] - y[0];
  for (let t = 1; t < y.length; t++) {
    const nextLevel = alpha * y[t] + (1 - alpha) * (level + slope);
    slope = beta * (nextLevel - level) + (1 - beta) * slope;
    level = nextLevel;
  }
  return { levelEnd: level, slopeEnd: slope };
}

function straightLine<M extends Forecast['method']>(
  method: M,
  level0: number,
  slope: number,
  residualSd: number,
  horizon: number,
  level: number,
  spread: (h: number) => number,
): Forecast & { method: M } {
  const mean = new Array<number>(horizon);
  const lower = new Array<number>(horizon);
  const upper = new Array<number>(horizon);
  for (let h = 1; h <= horizon; h++) {
    const m = level0 + h * slope;
    const s = spread(h);
    mean[h - 1] = m;
    lower[h - 1] = m - s;
    upper[h - 1] = m + s;
  }
  return { method, mean, lower, upper, level, residualSd, level0, slope };
}

function checkHorizon(horizon: number): void {
  if (!Number.isInteger(horizon) || horizon < 1) throw new RangeError(`horizon must be a positive integer, got ${horizon}`);
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
