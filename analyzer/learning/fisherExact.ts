import { logGamma } from '../stats/special.js';

const logChoose = (n: number, k: number): number => logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);

/**
 * Two-sided Fisher exact test for a 2×2 table [[a, b], [c, d]] (feature present: a successes,
 * b failures; absent: c successes, d failures): the sum of hypergeometric probabilities of every
 * table with the same margins that is no more likely than the observed one. Exact at any count,
 * which matters because patterns are tested from support 10 upwards, where the z-test's normal
 * approximation is poor.
 */
export function fisherExactTest(a: number, b: number, c: number, d: number): number {
  const r1 = a + b;
  const r2 = c + d;
  const c1 = a + c;
  const n = r1 + r2;
  if (r1 === 0 || r2 === 0 || c1 === 0 || c1 === n) return 1;
  const lo = Math.max(0, c1 - r2);
  const hi = Math.min(r1, c1);
  const denom = logChoose(n, c1);
  const logP = (x: number): number => logChoose(r1, x) + logChoose(r2, c1 - x) - denom;
  const observed = logP(a);
  let p = 0;
  for (let x = lo; x <= hi; x++) {
    const lp = logP(x);
    if (lp <= observed + 1e-7) p += Math.exp(lp);
  }
  return Math.min(1, p);
}
