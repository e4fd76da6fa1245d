import type { Rng } from './rng.js';

/** Observed Bernoulli outcomes of one arm (e.g. a team composition for a task type). */
export interface BetaArm {
  successes: number;
  failures: number;
}

/** Beta prior pseudo-counts; the default Beta(1, 1) is uniform. */
export interface BetaPrior {
  alpha: number;
  beta: number;
}

const UNIFORM: BetaPrior = { alpha: 1, beta: 1 };

/**
 * Thompson sampling: draws θ_i ~ Beta(prior.alpha + s_i, prior.beta + f_i) for
 * every arm and returns the index of the largest draw, so each arm is chosen
 * with the posterior probability that it is the best. Exploration shrinks on
 * its own as evidence accumulates. Returns −1 for no arms. Deterministic
 * given the RNG state.
 *
 * @example
 * const i = chooseArm([{ successes: 9, failures: 1 }, { successes: 1, failures: 1 }], createRng(1));
 */
export function chooseArm(arms: readonly BetaArm[], rng: Rng, prior: BetaPrior = UNIFORM): number {
  let best = -1;
  let bestDraw = -Infinity;
  for (let i = 0; i < arms.length; i++) {
    const draw = rng.beta(prior.alpha + arms[i].successes, prior.beta + arms[i].failures);
    if (draw > bestDraw) {
      bestDraw = draw;
      best = i;
    }
  }
  return best;
}

/**
 * Posterior probability that each arm has the highest success rate,
 * estimated by Monte Carlo with `draws` joint posterior draws (default
 * 10 000: standard error ≤ 0.5/√draws = 0.005 per arm). Ties (probability 0
 * for continuous draws) go to the lower index. Sums to 1.
 */
export function probabilityBest(arms: readonly BetaArm[], rng: Rng, draws = 10_000, prior: BetaPrior = UNIFORM): number[] {
  const k = arms.length;
  if (k === 0) return [];
  const alphas = new Float64Array(k);
  const betas = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    alphas[i] = prior.alpha + arms[i].successes;
    betas[i] = prior.beta + arms[i].failures;
  }
  const wins = new Float64Array(k);
  for (let d = 0; d < draws; d++) {
    let best = 0;
    let bestDraw = -Infinity;
    for (let i = 0; i < k; i++) {
      const draw = rng.beta(alphas[i], betas[i]);
      if (draw > bestDraw) {
        bestDraw = draw;
        best = i;
      }
    }
    wins[best]++;
  }
  return Array.from(wins, (w) => w / draws);
}
