/**
 * Recommendations per task type: the best team (vs the current default) and the best recovery
 * strategy (vs the most used one), each with its expected effect and a confidence = posterior
 * probability that the recommendation is better than the status quo (Beta(1, 1) priors, Monte
 * Carlo with a seeded RNG); plus "avoid" advice for the strongest antipatterns.
 */
import { upsertRecommendations, type RecommendationRecord } from '../../store/records/learning.js';
import { wilsonInterval } from '../stats/proportions.js';
import { createRng } from '../stats/rng.js';
import type { Rng } from '../stats/rng.js';
import { probabilityBest } from '../stats/thompson.js';
import { num, runNamed } from './db.js';
import type { LearningDb } from './db.js';
import { listPatterns } from './patternDb.js';
import type { StoredPattern } from './patternDb.js';
import { getPolicy, loadRules } from './policy.js';
import type { PromotionRules } from './policy.js';

/** The report contract's recommendation shape (stored as store/records/learning.ts's record). */
export interface Recommendation extends RecommendationRecord {
  kind: 'team' | 'recovery_strategy' | 'avoid' | 'experiment';
}

const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

/** P(arm A's rate > arm B's rate) under Beta(1, 1) priors. */
function pBetter(sA: number, nA: number, sB: number, nB: number, rng: Rng): number {
  return probabilityBest([{ successes: sA, failures: nA - sA }, { successes: sB, failures: nB - sB }], rng, 4000)[0];
}

function teamRecommendation(taskType: string, teams: StoredPattern[], current: string | null, rules: PromotionRules, rng: Rng): Recommendation | null {
  const usable = teams.filter((p) => p.support > rules.minSupport && p.status !== 'rejected' && p.status !== 'demoted');
  if (usable.length === 0) return null;
  const best = [...usable].sort((a, b) => b.ciLow - a.ciLow)[0];
  const bestTeam = best.signature.slice(5);
  const cur = current ? teams.find((p) => p.signature === `team:${current}`) : [...teams].sort((a, b) => b.support - a.support)[0];
  if (!cur || cur.id === best.id) return null;
  const curTeam = cur.signature.slice(5);
  const confidence = pBetter(best.successes, best.support, cur.successes, cur.support, rng);
  return {
    id: `rec_team_${taskType}`,
    kind: 'team',
    scope: { task_type: taskType },
    action: `make ${bestTeam} the default team for ${taskType} (now ${curTeam}${current ? '' : ', the most used'}); approve with: agentpulse patterns promote ${best.id}`,
    rationale: `${bestTeam} succeeded ${best.successes}/${best.support} (${pct(best.successRate)}, 95 % CI ${pct(best.ciLow)}–${pct(best.ciHigh)}) vs ${curTeam} ${cur.successes}/${cur.support} (${pct(cur.successRate)})`,
    expected_effect: { metric: 'task_success_rate', from: cur.successRate, to: best.successRate, delta: best.successRate - cur.successRate, delta_lower_bound: best.ciLow - cur.successRate },
    confidence,
    bounded_by: `max_step_share=${rules.maxStepShare}; promotion needs approval${rules.autoPromote ? ' (auto-promote policy on)' : ''}`,
  };
}

async function recoveryRecommendations(db: LearningDb, rules: PromotionRules, rng: Rng): Promise<Recommendation[]> {
  const rows = await runNamed(db, 'learning_recovery_by_task_type');
  const byType = new Map<string, { strategy: string; attempts: number; recovered: number }[]>();
  for (const r of rows) {
    const list = byType.get(String(r.task_type)) ?? [];
    list.push({ strategy: String(r.strategy), attempts: num(r.attempts), recovered: num(r.recovered) });
    byType.set(String(r.task_type), list);
  }
  const out: Recommendation[] = [];
  for (const [taskType, list] of byType) {
    const usable = list.filter((s) => s.attempts > rules.minSupport);
    if (usable.length < 2) continue;
    const lb = (s: { attempts: number; recovered: number }): number => wilsonInterval(s.recovered, s.attempts).lower;
    const best = [...usable].sort((a, b) => lb(b) - lb(a))[0];
    const current = [...list].sort((a, b) => b.attempts - a.attempts)[0];
    const ref = current.strategy === best.strategy ? [...usable].filter((s) => s !== best).sort((a, b) => b.attempts - a.attempts)[0] : current;
    const ci = wilsonInterval(best.recovered, best.attempts);
    const rate = (s: { attempts: number; recovered: number }): number => s.recovered / s.attempts;
    out.push({
      id: `rec_recovery_${taskType}`,
      kind: 'recovery_strategy',
      scope: { task_type: taskType },
      action: current.strategy === best.strategy ? `keep ${best.strategy} as the recovery strategy for ${taskType}` : `prefer ${best.strategy} over ${current.strategy} when ${taskType} tasks need recovery`,
      rationale: `${best.strategy} recovered ${best.recovered}/${best.attempts} (${pct(rate(best))}, 95 % CI ${pct(ci.lower)}–${pct(ci.upper)}) vs ${ref.strategy} ${ref.recovered}/${ref.attempts} (${pct(rate(ref))})`,
      expected_effect: { metric: 'recovery_rate', from: rate(ref), to: rate(best), delta: rate(best) - rate(ref) },
      confidence: pBetter(best.recovered, best.attempts, ref.recovered, ref.attempts, rng),
      bounded_by: `max_step_share=${rules.maxStepShare}`,
    });
  }
  return out;
}

function avoidRecommendation(p: StoredPattern): Recommendation {
  const rest = Number(p.evidence.rest_rate);
  return {
    id: `rec_avoid_${p.id}`,
    kind: 'avoid',
    scope: { task_type: p.taskType, pattern_id: p.id },
    action: `avoid ${p.signature} in ${p.taskType} tasks`,
    rationale: `${p.signature} succeeded ${p.successes}/${p.support} (${pct(p.successRate)}) vs ${pct(rest)} for other ${p.taskType} tasks; q = ${Number(p.evidence.q_value).toExponential(1)} (BH)`,
    expected_effect: { metric: 'task_success_rate', affected_tasks: p.support, from: p.successRate, to: rest, delta: rest - p.successRate },
    confidence: p.confidence,
    bounded_by: 'advice only: no automatic change',
  };
}

export interface RecommendOptions {
  seed?: number;
  /** Antipattern advice kept per task type (strongest first; default 3). */
  maxAvoidPerTaskType?: number;
}

/** Builds every recommendation from the pattern DB, the policies and recovery spans. */
export async function buildRecommendations(db: LearningDb, options: RecommendOptions = {}): Promise<Recommendation[]> {
  const rng = createRng(options.seed ?? 1);
  const rules = await loadRules(db);
  const patterns = await listPatterns(db);
  const out: Recommendation[] = [];
  const types = [...new Set(patterns.map((p) => p.taskType))].sort();
  for (const t of types) {
    const teams = patterns.filter((p) => p.taskType === t && p.kind === 'pattern' && p.signature.startsWith('team:'));
    const policy = await getPolicy(db, t);
    const rec = teamRecommendation(t, teams, policy.default, rules, rng);
    if (rec) out.push(rec);
    const anti = patterns
      .filter((p) => p.taskType === t && p.kind === 'antipattern' && p.status !== 'rejected')
      .sort((a, b) => (Number(b.evidence.rest_rate) - b.successRate) * b.support - (Number(a.evidence.rest_rate) - a.successRate) * a.support)
      .slice(0, options.maxAvoidPerTaskType ?? 3);
    out.push(...anti.map(avoidRecommendation));
  }
  out.push(...(await recoveryRecommendations(db, rules, rng)));
  return out;
}

/** Upserts recommendations into the `recommendations` table under `runId`. */
export async function saveRecommendations(db: LearningDb, runId: string, recs: readonly Recommendation[]): Promise<void> {
  await upsertRecommendations(db, runId, recs);
}
