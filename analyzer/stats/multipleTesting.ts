/**
 * Benjamini–Hochberg q-values: q_(i) = min_{j ≥ i} m·p_(j)/j over the
 * ascending-sorted p-values, capped at 1, returned in input order. The
 * running minimum makes them monotone in p, and q ≥ p always. Controls the
 * false discovery rate for independent or positively dependent tests (PRDS),
 * which fits regressions across scopes sharing one time window. NaN p-values
 * count as 1 (they still count towards m, the number of tests).
 *
 * @example
 * bhQValues([0.01, 0.04, 0.03, 0.5]); // [0.04, 0.0533…, 0.0533…, 0.5]
 */
export function bhQValues(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const p = new Float64Array(m);
  for (let i = 0; i < m; i++) p[i] = Number.isNaN(pValues[i]) ? 1 : pValues[i];
  const order = new Uint32Array(m);
  for (let i = 0; i < m; i++) order[i] = i;
  order.sort((a, b) => p[a] - p[b]);
  const q = new Array<number>(m);
  let running = 1;
  for (let rank = m; rank >= 1; rank--) {
    const idx = order[rank - 1];
    // p·(m/rank), not (p·m)/rank: m/rank ≥ 1 exactly at rank m, so q ≥ p survives rounding.
    const candidate = p[idx] * (m / rank);
    if (candidate < running) running = candidate;
    q[idx] = running;
  }
  return q;
}

/** Benjamini–Hochberg step-up decisions at false discovery rate `fdr`: reject where q ≤ fdr. */
export function bhReject(pValues: readonly number[], fdr: number): boolean[] {
  return bhQValues(pValues).map((q) => q <= fdr);
}
