/**
 * Distribution functions used by the tests and intervals: normal, chi-square,
 * Student t and beta. Built on `special.ts`; accurate to ~1e-12 or better.
 */
import { logBeta, regularizedBeta, regularizedGammaQ } from './special.js';

const SQRT_2PI = 2.5066282746310002;

/** Standard normal density φ(x). */
export function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / SQRT_2PI;
}

/**
 * Standard normal CDF Φ(x), via Φ(x) = ½·erfc(−x/√2) and erfc(z) = Q(½, z²):
 * relative accuracy ~1e-14 in both tails (no 1 − small cancellation).
 */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const q = 0.5 * regularizedGammaQ(0.5, 0.5 * x * x);
  return x < 0 ? q : 1 - q;
}

/** Standard normal survival function 1 − Φ(x), accurate far into the upper tail. */
export function normalSf(x: number): number {
  return normalCdf(-x);
}

/** Two-sided normal p-value 2·(1 − Φ(|z|)), capped at 1; NaN stays NaN. */
export function twoSidedNormalP(z: number): number {
  if (Number.isNaN(z)) return NaN;
  return Math.min(1, 2 * normalCdf(-Math.abs(z)));
}

// Acklam's rational approximation (relative error < 1.15e-9), then refined.
const A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const P_LOW = 0.02425;

/**
 * Standard normal quantile Φ⁻¹(p) for 0 < p < 1 (±Infinity at 0 and 1).
 * Acklam's approximation followed by two Halley steps against `normalCdf`,
 * so the result is accurate to ~1e-14; the lower tail is solved directly
 * (p > ½ by symmetry) so tiny tail probabilities keep their precision.
 */
export function normalQuantile(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p > 0.5) return -normalQuantile(1 - p);
  let x: number;
  if (p < P_LOW) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
  } else {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q) / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1);
  }
  for (let i = 0; i < 2; i++) {
    const e = normalCdf(x) - p;
    const u = e * SQRT_2PI * Math.exp(0.5 * x * x);
    x = x - u / (1 + 0.5 * x * u);
  }
  return x;
}

/** Chi-square survival function P(X > x) with k degrees of freedom: Q(k/2, x/2). */
export function chiSquareSf(x: number, k: number): number {
  if (!(k > 0)) return NaN;
  return regularizedGammaQ(0.5 * k, 0.5 * x);
}

/** Student t CDF with ν > 0 degrees of freedom: tail = ½·I_{ν/(ν+t²)}(ν/2, ½). */
export function studentTCdf(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return NaN;
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  const tail = 0.5 * regularizedBeta(df / (df + t * t), 0.5 * df, 0.5);
  return t > 0 ? 1 - tail : tail;
}

/**
 * Student t quantile by inverting the beta relation: two parameterisations
 * of the same identity are used so neither the centre nor the tails lose
 * precision to 1 − x cancellation.
 */
export function studentTQuantile(p: number, df: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1 || !(df > 0)) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  if (p > 0.5) return -studentTQuantile(1 - p, df);
  if (p < 0.25) {
    // 2p = I_x(ν/2, ½) with x = ν/(ν+t²)
    const x = betaQuantile(2 * p, 0.5 * df, 0.5);
    return -Math.sqrt((df * (1 - x)) / x);
  }
  // 1 − 2p = I_y(½, ν/2) with y = t²/(ν+t²)
  const y = betaQuantile(1 - 2 * p, 0.5, 0.5 * df);
  return -Math.sqrt((df * y) / (1 - y));
}

/** Beta(a, b) CDF, I_x(a, b). */
export function betaCdf(x: number, a: number, b: number): number {
  return regularizedBeta(x, a, b);
}

/**
 * Beta(a, b) quantile: safeguarded Newton iteration on I_x(a, b) = p inside a
 * shrinking bracket (bisection whenever Newton leaves it), to 1e-15 relative to
 * the distance from the nearer end of [0, 1].
 */
export function betaQuantile(p: number, a: number, b: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1 || !(a > 0) || !(b > 0)) return NaN;
  if (p === 0) return 0;
  if (p === 1) return 1;
  const lb = logBeta(a, b);
  let lo = 0;
  let hi = 1;
  // Start at the mean, pulled towards the right tail region for extreme p.
  let x = a / (a + b);
  for (let i = 0; i < 200; i++) {
    const f = regularizedBeta(x, a, b) - p;
    if (f === 0) return x;
    if (f < 0) lo = x;
    else hi = x;
    const logPdf = (a - 1) * Math.log(x) + (b - 1) * Math.log1p(-x) - lb;
    const pdf = Math.exp(logPdf);
    let next = pdf > 0 && Number.isFinite(pdf) ? x - f / pdf : NaN;
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    // Tolerance relative to the distance from the nearer end, so quantiles
    // just below 1 (b < 1, p → 1) are resolved as finely as those near 0.
    const scale = Math.max(Math.min(next, 1 - next), 1e-300);
    if (next === x || Math.abs(next - x) <= 1e-15 * scale || hi - lo <= 1e-15 * scale) return next;
    x = next;
  }
  return x;
}

