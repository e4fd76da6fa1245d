import { chiSquareSf } from './distributions.js';

/** One stratum's 2×2 table: successes and failures with the factor (a, b) and without it (c, d). */
export interface Stratum2x2 {
  a: number;
  b: number;
  c: number;
  d: number;
}

export interface MantelHaenszelResult {
  /** Cochran–Mantel–Haenszel statistic (1 df, no continuity correction); 0 when no stratum varies. */
  chiSquare: number;
  pValue: number;
  /** Σ (a − E[a]): negative when the factor's successes fall short of what the strata predict. */
  excess: number;
  /** Mantel–Haenszel common odds ratio (success odds with vs without); NaN when undefined. */
  oddsRatio: number;
  /** Strata that carried information (both rows and both columns non-empty). */
  strata: number;
}

/**
 * Cochran–Mantel–Haenszel test of "the factor changes the success odds" pooled over strata
 * (task types, teams): each stratum compares like with like, and the evidence adds up across them.
 * With one stratum the statistic equals the Pearson chi-square scaled by (n − 1)/n.
 * @example
 * mantelHaenszel([{ a: 5, b: 15, c: 80, d: 20 }, { a: 3, b: 9, c: 60, d: 12 }]).pValue; // ≪ 0.05
 */
export function mantelHaenszel(strata: readonly Stratum2x2[]): MantelHaenszelResult {
  let excess = 0;
  let variance = 0;
  let orNum = 0;
  let orDen = 0;
  let used = 0;
  for (const s of strata) {
    const n = s.a + s.b + s.c + s.d;
    const row1 = s.a + s.b;
    const row2 = s.c + s.d;
    const col1 = s.a + s.c;
    const col2 = s.b + s.d;
    if (n < 2 || row1 === 0 || row2 === 0 || col1 === 0 || col2 === 0) continue;
    used++;
    excess += s.a - (row1 * col1) / n;
    variance += (row1 * row2 * col1 * col2) / (n * n * (n - 1));
    orNum += (s.a * s.d) / n;
    orDen += (s.b * s.c) / n;
  }
  const chiSquare = variance > 0 ? (excess * excess) / variance : 0;
  return {
    chiSquare,
    pValue: variance > 0 ? chiSquareSf(chiSquare, 1) : 1,
    excess,
    oddsRatio: orDen > 0 ? orNum / orDen : orNum > 0 ? Infinity : NaN,
    strata: used,
  };
}
