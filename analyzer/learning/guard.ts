/**
 * The guard on promotions: a team that was promoted (or is rolling out) and then gets worse is
 * demoted without waiting for a human. Rolling back to the team it replaced — a default that
 * was already trusted — is the safe direction, so it is on by default (rule `autoDemote`) and not
 * bounded by the promotion step; it is recorded like every other change.
 */
import { wilsonInterval } from '../stats/proportions.js';
import type { LearningDb } from './db.js';
import { demote, listPolicies, loadRules } from './policy.js';
import { loadExecutionRecords } from './records.js';
import type { ExecutionRecord } from './records.js';

/** Recent runs of the promoted team the guard looks at (its latest, by start). */
export const GUARD_WINDOW = 40;
/** Fewer recent runs than this and the guard waits. */
export const GUARD_MIN_RUNS = 15;
/** Window lengths the guard looks at, shortest first. */
const GUARD_LOOKS = [GUARD_MIN_RUNS, 20, 30, GUARD_WINDOW];

export interface GuardAction {
  taskType: string;
  /** The team demoted. */
  team: string;
  /** The default restored. */
  restored: string | null;
  recent: { runs: number; successes: number; ciHigh: number };
  /** The replaced team's success rate over the whole history: the bar the promoted team fell under. */
  bar: number;
  reason: string;
}

const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

export interface GuardOptions {
  actor?: string;
  /** The history, when the caller has it loaded already (a learning run does); else read per task type. */
  records?: readonly ExecutionRecord[];
}

/**
 * For every task type whose default or candidate came from a promotion: when the upper end of
 * the 95 % Wilson interval of its latest 15, 20, 30 or {@link GUARD_WINDOW} runs falls below the
 * success rate of the team it replaced, demote it (restoring that team). Four looks at a 95 %
 * bound are at most four chances of a false alarm per run, and only for a team whose true rate
 * sits near the bar: a promoted team cleared that bar with the lower end of its interval.
 */
export async function guardPromotions(db: LearningDb, options: GuardOptions = {}): Promise<GuardAction[]> {
  const actor = options.actor ?? 'auto-demote-guard';
  const rules = await loadRules(db);
  if (!rules.autoDemote) return [];
  const actions: GuardAction[] = [];
  for (const state of await listPolicies(db)) {
    const team = state.candidate ?? state.default;
    // Only a team a promotion put there: after a demotion (or a human's set-default) the guard stands down.
    const last = await db.query(`SELECT action FROM promotions WHERE task_type = $t ORDER BY created_at DESC, id DESC LIMIT 1`, { t: state.taskType });
    if (!team || last.length === 0 || !String(last[0].action).startsWith('promote')) continue;
    const replaced = [...state.history].reverse().find((h) => h.default !== team && h.candidate !== team)?.default ?? null;
    if (!replaced) continue;
    const records = options.records ? options.records.filter((r) => r.taskType === state.taskType) : await loadExecutionRecords(db, { taskType: state.taskType });
    const mine = records.filter((r) => r.teamSignature === team).slice(-GUARD_WINDOW);
    const before = records.filter((r) => r.teamSignature === replaced);
    if (mine.length < GUARD_MIN_RUNS || before.length < GUARD_MIN_RUNS) continue;
    const bar = before.filter((r) => r.success).length / before.length;
    // The latest 15, 20, 30 and 40 runs: a sudden drop shows in the short windows before the
    // runs from before it leave the long one.
    let hit: { runs: number; successes: number; ciHigh: number } | null = null;
    for (const k of GUARD_LOOKS) {
      if (k > mine.length) break;
      const successes = mine.slice(-k).filter((r) => r.success).length;
      const ci = wilsonInterval(successes, k);
      if (ci.upper < bar) {
        hit = { runs: k, successes, ciHigh: ci.upper };
        break;
      }
    }
    if (!hit) continue;
    const reason = `auto-demote: ${team} succeeded in ${hit.successes}/${hit.runs} of its latest runs (95 % CI up to ${pct(hit.ciHigh)}), below ${replaced}'s ${pct(bar)}`;
    const next = await demote(db, state.taskType, { actor, reason });
    actions.push({ taskType: state.taskType, team, restored: next.default, recent: hit, bar, reason });
  }
  return actions;
}
