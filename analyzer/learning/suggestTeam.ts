/**
 * Team suggestion: Thompson sampling over team compositions per task type, with Beta(1, 1)
 * priors updated by each team's successes and failures. Exploration is bounded: only a share
 * `maxExploreShare` of suggestions (default 10 %) come from the Thompson draw; the rest follow
 * the approved policy (default team, or the candidate within its rollout share), so the
 * sampler can never move more traffic than that on its own.
 */
import { wilsonInterval } from '../stats/proportions.js';
import { createRng } from '../stats/rng.js';
import type { Rng } from '../stats/rng.js';
import { chooseArm, probabilityBest } from '../stats/thompson.js';
import type { LearningDb } from './db.js';
import { getPolicy, policyChoice } from './policy.js';
import type { PolicySnapshot } from './policy.js';
import { loadExecutionRecords } from './records.js';
import type { ExecutionRecord } from './records.js';

export interface TeamArm {
  team: string;
  runs: number;
  successes: number;
  failures: number;
}

export interface TeamEvidence extends TeamArm {
  successRate: number | null;
  ciLow: number;
  ciHigh: number;
  /** Beta(1 + s, 1 + f) posterior mean. */
  posteriorMean: number;
  /** Posterior probability of being the best team (Monte Carlo, 10 000 draws). */
  pBest: number;
}

export interface TeamSuggestion {
  taskType: string;
  team: string | null;
  /** How it was chosen: the approved policy, a bounded Thompson exploration, or (no policy yet) the best evidence. */
  mode: 'policy' | 'explore' | 'best_evidence' | 'none';
  exploreShare: number;
  policy: PolicySnapshot;
  evidence: TeamEvidence[];
}

export interface SuggestOptions {
  explore?: boolean;
  /** Upper bound on the share of suggestions the Thompson draw decides (default 0.1). */
  maxExploreShare?: number;
  /** Extra teams to consider even without history (cold start). */
  candidates?: string[];
  rng?: Rng;
}

/** Per-task-type team arms from execution records. */
export function teamArms(records: readonly ExecutionRecord[]): Map<string, TeamArm[]> {
  const out = new Map<string, Map<string, TeamArm>>();
  for (const r of records) {
    if (!r.taskType || !r.teamSignature) continue;
    const m = out.get(r.taskType) ?? new Map<string, TeamArm>();
    const a = m.get(r.teamSignature) ?? { team: r.teamSignature, runs: 0, successes: 0, failures: 0 };
    a.runs++;
    if (r.success) a.successes++;
    else a.failures++;
    m.set(r.teamSignature, a);
    out.set(r.taskType, m);
  }
  return new Map([...out].map(([k, m]) => [k, [...m.values()].sort((a, b) => a.team.localeCompare(b.team))]));
}

function withCandidates(arms: readonly TeamArm[], candidates: readonly string[] = []): TeamArm[] {
  const out = [...arms];
  for (const c of candidates) if (!out.some((a) => a.team === c)) out.push({ team: c, runs: 0, successes: 0, failures: 0 });
  return out;
}

/** Evidence table for arms: rates, Wilson intervals, posterior means and P(best). */
export function evidenceFor(arms: readonly TeamArm[], rng: Rng): TeamEvidence[] {
  const pBest = probabilityBest(arms, rng);
  return arms
    .map((a, i) => {
      const ci = wilsonInterval(a.successes, a.runs);
      return { ...a, successRate: a.runs > 0 ? a.successes / a.runs : null, ciLow: ci.lower, ciHigh: ci.upper, posteriorMean: (1 + a.successes) / (2 + a.runs), pBest: pBest[i] };
    })
    .sort((a, b) => b.pBest - a.pBest || b.posteriorMean - a.posteriorMean);
}

/**
 * A suggestion function over a fixed snapshot of arms and policy (one analyzer run's view):
 * each call is one task's choice; at most ⌈maxExploreShare·calls⌉ of them are explorations. Used for batch routing, and by {@link suggestTeam}.
 */
export function teamChooser(arms: readonly TeamArm[], policy: PolicySnapshot, options: SuggestOptions = {}): (rng: Rng) => { team: string | null; mode: TeamSuggestion['mode'] } {
  const all = withCandidates(arms, options.candidates);
  const share = options.explore ? Math.min(1, Math.max(0, options.maxExploreShare ?? 0.1)) : 0;
  const greedy = [...all].sort((a, b) => (1 + b.successes) / (2 + b.runs) - (1 + a.successes) / (2 + a.runs))[0]?.team ?? null;
  // The draw decides with probability `share`, and a quota makes the bound hard: after n
  // calls at most ⌈share·n⌉ choices were explorations, whatever the random stream does.
  let calls = 0;
  let explored = 0;
  return (rng) => {
    calls++;
    if (all.length > 0 && share > 0 && rng.next() < share && explored + 1 <= Math.ceil(share * calls)) {
      explored++;
      return { team: all[chooseArm(all, rng)].team, mode: 'explore' };
    }
    const p = policyChoice(policy, rng.next());
    if (p) return { team: p, mode: 'policy' };
    return greedy ? { team: greedy, mode: 'best_evidence' } : { team: null, mode: 'none' };
  };
}

/** Suggests a team for one task of `taskType`, with the evidence behind it. */
export async function suggestTeam(db: LearningDb, taskType: string, options: SuggestOptions = {}): Promise<TeamSuggestion> {
  const rng = options.rng ?? createRng(Date.now() >>> 0);
  const records = await loadExecutionRecords(db, { taskType });
  const arms = withCandidates(teamArms(records).get(taskType) ?? [], options.candidates);
  const state = await getPolicy(db, taskType);
  const policy: PolicySnapshot = { default: state.default, candidate: state.candidate, candidatePatternId: state.candidatePatternId, candidateShare: state.candidateShare };
  const pick = teamChooser(arms, policy, options)(rng);
  return {
    taskType,
    team: pick.team,
    mode: pick.mode,
    exploreShare: options.explore ? Math.min(1, Math.max(0, options.maxExploreShare ?? 0.1)) : 0,
    policy,
    evidence: evidenceFor(arms, rng),
  };
}
