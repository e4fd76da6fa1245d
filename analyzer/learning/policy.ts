/**
 * The team policy per task type (its default team and an optional candidate rolling out) and
 * the promotion rules around it. A candidate may take over only when its support (tasks run) is
 * greater than `minSupport` (10) and the lower end of its 95 % Wilson interval clears the current
 * default's observed success rate; a human approves
 * (`agentpulse patterns promote`) unless an auto-promote policy is configured; every step moves
 * at most `maxStepShare` of the task type's traffic; every change is a `promotions` row with
 * who/when/why/bound, and `demote` restores the state before the rollout began.
 */
import { kvGet, kvSet } from '../../store/records/kv.js';
import { insertPromotion, setPatternStatus } from '../../store/records/learning.js';
import type { LearningDb } from './db.js';
import { PromotionRefusedError } from './errors.js';
import { getPattern, listPatterns } from './patternDb.js';
import type { StoredPattern } from './patternDb.js';

const POLICY_NS = 'learning.policy';

export interface PolicySnapshot {
  default: string | null;
  candidate: string | null;
  candidatePatternId: string | null;
  /** Share of this task type's traffic the candidate gets (0..1). */
  candidateShare: number;
}

export interface PolicyState extends PolicySnapshot {
  taskType: string;
  /** Earlier snapshots, oldest first, so any change can be undone. */
  history: PolicySnapshot[];
}

export interface PromotionRules {
  /** Support must be strictly greater than this (default 10). */
  minSupport: number;
  /** Largest share of a task type's traffic one step may move to a candidate (default 0.25). */
  maxStepShare: number;
  /** Promote without a human when the rules pass (default false). */
  autoPromote: boolean;
  /** Demote a promoted team whose latest runs fall clearly below the team it replaced (default true; see guard.ts). */
  autoDemote: boolean;
}

export const DEFAULT_RULES: PromotionRules = { minSupport: 10, maxStepShare: 0.25, autoPromote: false, autoDemote: true };

/** The configured rules (kv learning/promotion_rules) over the defaults. */
export async function loadRules(db: LearningDb): Promise<PromotionRules> {
  return { ...DEFAULT_RULES, ...((await kvGet<Partial<PromotionRules>>(db, 'learning', 'promotion_rules')) ?? {}) };
}

/** Saves rules, e.g. `{ autoPromote: true, maxStepShare: 0.5 }` for an explicit auto-promote policy. */
export async function saveRules(db: LearningDb, rules: Partial<PromotionRules>, actor: string, reason: string): Promise<PromotionRules> {
  const next = { ...(await loadRules(db)), ...rules };
  if (!(next.maxStepShare > 0 && next.maxStepShare <= 1)) throw new PromotionRefusedError([`maxStepShare must be in (0, 1], got ${next.maxStepShare}`]);
  await kvSet(db, 'learning', 'promotion_rules', next);
  await insertPromotion(db, { action: 'set_rules', taskType: null, patternId: null, previousDefault: null, newDefault: null, share: null, bound: JSON.stringify(next), actor, reason });
  return next;
}

const EMPTY: PolicySnapshot = { default: null, candidate: null, candidatePatternId: null, candidateShare: 0 };
const snapshot = (s: PolicySnapshot): PolicySnapshot => ({ default: s.default, candidate: s.candidate, candidatePatternId: s.candidatePatternId, candidateShare: s.candidateShare });

/** The current policy for a task type (empty when none was ever set). */
export async function getPolicy(db: LearningDb, taskType: string): Promise<PolicyState> {
  const s = await kvGet<PolicyState>(db, POLICY_NS, taskType);
  return s ?? { taskType, ...EMPTY, history: [] };
}

/** Every task type's policy. */
export async function listPolicies(db: LearningDb): Promise<PolicyState[]> {
  const rows = await db.query('SELECT key FROM kv WHERE namespace = $ns ORDER BY key', { ns: POLICY_NS });
  return Promise.all(rows.map((r) => getPolicy(db, String(r.key))));
}

async function save(db: LearningDb, prev: PolicyState, next: PolicySnapshot): Promise<PolicyState> {
  const state: PolicyState = { taskType: prev.taskType, ...snapshot(next), history: [...prev.history, snapshot(prev)] };
  await kvSet(db, POLICY_NS, prev.taskType, state);
  return state;
}

export interface Actor {
  actor: string;
  reason: string;
}

/** Sets the starting default team of a task type (recorded; undoable with demote). */
export async function setDefaultTeam(db: LearningDb, taskType: string, team: string, who: Actor): Promise<PolicyState> {
  const prev = await getPolicy(db, taskType);
  const state = await save(db, prev, { ...EMPTY, default: team });
  await insertPromotion(db, { action: 'set_default', taskType, patternId: null, previousDefault: prev.default, newDefault: team, share: 1, bound: null, ...who });
  return state;
}

/** The cumulative success rate of the default team (from the pattern DB), or the task type's base rate without one. */
async function defaultRate(db: LearningDb, taskType: string, team: string | null): Promise<{ rate: number; label: string } | null> {
  const rows = await db.query(
    `SELECT signature, sum(o.support) AS n, sum(o.successes) AS s FROM patterns p JOIN pattern_outcomes o ON o.pattern_id = p.id
     WHERE p.task_type = $t AND (p.signature = '*' OR p.signature = $sig) GROUP BY signature`,
    { t: taskType, sig: team === null ? null : `team:${team}` },
  );
  const pick = rows.find((r) => r.signature !== '*') ?? (team === null ? rows.find((r) => r.signature === '*') : undefined);
  if (!pick || Number(pick.n) === 0) return null;
  return { rate: Number(pick.s) / Number(pick.n), label: pick.signature === '*' ? `the ${taskType} base rate` : `default ${team}` };
}

export interface Eligibility {
  eligible: boolean;
  reasons: string[];
  /** The rate the candidate's interval must clear. */
  threshold: number | null;
}

/** Checks the promotion rules for a pattern (not the approval). */
export async function checkEligibility(db: LearningDb, p: StoredPattern, rules: PromotionRules, state?: PolicyState): Promise<Eligibility> {
  const reasons: string[] = [];
  const policy = state ?? (await getPolicy(db, p.taskType));
  if (!p.signature.startsWith('team:')) reasons.push(`only team compositions can become a default (this is ${p.signature})`);
  if (p.kind !== 'pattern') reasons.push('it is an antipattern');
  if (p.status === 'rejected' || p.status === 'demoted') reasons.push(`it was ${p.status}; a human must re-approve it explicitly`);
  if (!(p.support > rules.minSupport)) reasons.push(`count ${p.support} ≤ ${rules.minSupport}`);
  const team = p.signature.slice('team:'.length);
  if (policy.default === team) reasons.push('it is already the default');
  if (policy.candidate && policy.candidate !== team && policy.candidateShare > 0) reasons.push(`${policy.candidate} is rolling out (${pct(policy.candidateShare)}); finish or demote it first`);
  const base = await defaultRate(db, p.taskType, policy.default);
  const threshold = base?.rate ?? null;
  if (base && !(p.ciLow > base.rate)) reasons.push(`its 95 % interval [${pct(p.ciLow)}, ${pct(p.ciHigh)}] does not clear ${base.label} at ${pct(base.rate)}`);
  return { eligible: reasons.length === 0, reasons, threshold };
}

const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

export interface PromoteOptions extends Actor {
  /** A human approved this step (the CLI sets it). Without it the configured auto-promote policy must allow it. */
  approved: boolean;
  rules?: PromotionRules;
  /** Re-approve a rejected/demoted pattern (human only). */
  override?: boolean;
}

export interface PromotionStep {
  id: string;
  taskType: string;
  team: string;
  action: 'promote_step' | 'promote_complete';
  share: number;
  state: PolicyState;
}

/**
 * One bounded promotion step: the candidate's share grows by at most `maxStepShare`; at 100 %
 * it becomes the default. Refuses (PromotionRefusedError) without approval or auto-promote
 * policy, and when the rules fail.
 */
export async function promotePattern(db: LearningDb, patternId: string, options: PromoteOptions): Promise<PromotionStep> {
  const rules = options.rules ?? (await loadRules(db));
  if (!options.approved && !rules.autoPromote) throw new PromotionRefusedError(['promotion needs a human approval (agentpulse patterns promote) or an auto-promote policy']);
  const pattern = await getPattern(db, patternId);
  if (!pattern) throw new PromotionRefusedError([`no pattern ${patternId}`]);
  const state = await getPolicy(db, pattern.taskType);
  const check = await checkEligibility(db, options.override && options.approved ? { ...pattern, status: 'candidate' } : pattern, rules, state);
  if (!check.eligible) throw new PromotionRefusedError(check.reasons);
  const team = pattern.signature.slice('team:'.length);
  const current = state.candidate === team ? state.candidateShare : 0;
  const share = Math.min(1, current + rules.maxStepShare);
  const complete = share >= 1 - 1e-9;
  const next: PolicySnapshot = complete
    ? { default: team, candidate: null, candidatePatternId: null, candidateShare: 0 }
    : { default: state.default, candidate: team, candidatePatternId: pattern.id, candidateShare: share };
  const saved = await save(db, state, next);
  const action = complete ? 'promote_complete' : 'promote_step';
  const bound = `max_step_share=${rules.maxStepShare}`;
  const id = await insertPromotion(db, {
    action, taskType: pattern.taskType, patternId: pattern.id, previousDefault: state.default, newDefault: complete ? team : state.default,
    share, bound, actor: options.actor, reason: options.reason,
  });
  await setPatternStatus(db, pattern.id, complete ? 'promoted' : 'rolling_out');
  return { id, taskType: pattern.taskType, team, action, share, state: saved };
}

/** Marks a pattern rejected (it will not be proposed again); stops its rollout if one runs. */
export async function rejectPattern(db: LearningDb, patternId: string, who: Actor): Promise<void> {
  const pattern = await getPattern(db, patternId);
  if (!pattern) throw new PromotionRefusedError([`no pattern ${patternId}`]);
  const state = await getPolicy(db, pattern.taskType);
  if (state.candidatePatternId === patternId) await save(db, state, { ...snapshot(state), candidate: null, candidatePatternId: null, candidateShare: 0 });
  await setPatternStatus(db, patternId, 'rejected');
  await insertPromotion(db, { action: 'reject', taskType: pattern.taskType, patternId, previousDefault: state.default, newDefault: state.default, share: 0, bound: null, ...who });
}

/**
 * Undoes the current rollout or the last completed promotion of a task type: restores the
 * policy exactly as it was before that team's first step (its previous default, 0 % candidate).
 */
export async function demote(db: LearningDb, taskType: string, who: Actor): Promise<PolicyState> {
  const state = await getPolicy(db, taskType);
  const target = state.candidate ?? state.default;
  if (target === null || state.history.length === 0) throw new PromotionRefusedError([`nothing to demote for ${taskType}`]);
  const history = [...state.history];
  let restored: PolicySnapshot | undefined;
  while (history.length > 0) {
    const h = history.pop()!;
    if (h.default !== target && h.candidate !== target) {
      restored = h;
      break;
    }
  }
  if (!restored) throw new PromotionRefusedError([`${target} was the first default of ${taskType}; there is no earlier default to restore`]);
  const next: PolicyState = { taskType, ...snapshot(restored), history: [...state.history, snapshot(state)] };
  await kvSet(db, POLICY_NS, taskType, next);
  const patternIdRows = await db.query(`SELECT id FROM patterns WHERE task_type = $t AND signature = $s`, { t: taskType, s: `team:${target}` });
  const patternId = patternIdRows.length > 0 ? String(patternIdRows[0].id) : null;
  if (patternId) await setPatternStatus(db, patternId, 'demoted');
  await insertPromotion(db, { action: 'demote', taskType, patternId, previousDefault: state.default, newDefault: next.default, share: 0, bound: null, ...who });
  return next;
}

export interface ReviewItem {
  pattern: StoredPattern;
  eligibility: Eligibility;
  policy: PolicySnapshot;
}

/** Team patterns worth a human's look: candidates with support, best lower bound first, each with the rule check. */
export async function reviewQueue(db: LearningDb, taskType?: string): Promise<ReviewItem[]> {
  const rules = await loadRules(db);
  const pats = (await listPatterns(db, { taskType, kind: 'pattern' })).filter((p) => p.signature.startsWith('team:') && (p.status === 'candidate' || p.status === 'rolling_out'));
  const out: ReviewItem[] = [];
  for (const p of pats.sort((a, b) => b.ciLow - a.ciLow)) {
    const state = await getPolicy(db, p.taskType);
    out.push({ pattern: p, eligibility: await checkEligibility(db, p, rules, state), policy: snapshot(state) });
  }
  return out;
}

/** Under an auto-promote policy: one bounded step for the best eligible team of every task type. */
export async function autoPromote(db: LearningDb, actor = 'auto-promote-policy'): Promise<PromotionStep[]> {
  const rules = await loadRules(db);
  if (!rules.autoPromote) return [];
  const steps: PromotionStep[] = [];
  const seen = new Set<string>();
  for (const item of await reviewQueue(db)) {
    if (seen.has(item.pattern.taskType) || !item.eligibility.eligible) continue;
    seen.add(item.pattern.taskType);
    const p = item.pattern;
    steps.push(
      await promotePattern(db, p.id, {
        approved: false, rules, actor,
        reason: `auto-promote: ${p.successes}/${p.support} successes, 95 % CI [${pct(p.ciLow)}, ${pct(p.ciHigh)}] clears ${pct(item.eligibility.threshold ?? 0)}`,
      }),
    );
  }
  return steps;
}

/** Team for one task under the policy: the candidate with probability = its share, else the default. */
export function policyChoice(state: PolicySnapshot, u: number): string | null {
  if (state.candidate && u < state.candidateShare) return state.candidate;
  return state.default;
}
