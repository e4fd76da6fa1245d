import { ATTR_ERROR_TYPE, ATTR_RECOVERY_DEGRADATION, ATTR_RECOVERY_OUTCOME, EVENT_ATTEMPT } from '../attributes.js';
import type { AgentTask } from '../agents/Agent.js';
import { errorTypeOf } from '../classify/classifyError.js';
import { StrategyNotApplicableError } from '../errors/StrategyNotApplicableError.js';
import type { RecoveryEpisode } from '../tracing/RecoveryEpisode.js';

/** How an agent may degrade, declared per agent. Levels are tried in the order listed here. */
export interface DegradationPlan<I = unknown, O = unknown> {
  /** Same agent, less work (fewer documents, shorter answer). */
  reduceScope?: (task: AgentTask<I>) => AgentTask<I>;
  /** Same task on a cheaper/faster model. */
  cheaperModel?: string;
  /** A stored answer, when serving stale beats failing. */
  cachedAnswer?: (task: AgentTask<I>) => O | undefined | Promise<O | undefined>;
}

export type DegradationLevel = 'reduced_scope' | 'cheaper_model' | 'cached_answer';

/** Re-invokes the same agent with overrides; supplied by the selector. */
export type DegradedCall<I, O> = (task: AgentTask<I>, overrides: { scope: 'full' | 'reduced'; model?: string }) => Promise<O>;

/**
 * Walks the plan: reduced scope → cheaper model → cached answer; the first level that works
 * wins and is recorded as `agentpulse.recovery.degradation`.
 */
export async function runDegradation<I, O>(strategy: string, plan: DegradationPlan<I, O> | undefined, task: AgentTask<I>, call: DegradedCall<I, O>, episode?: RecoveryEpisode): Promise<O> {
  const levels: Array<[DegradationLevel, () => Promise<O | undefined>]> = [];
  if (plan?.reduceScope) {
    const reduce = plan.reduceScope;
    levels.push(['reduced_scope', () => call(reduce(task), { scope: 'reduced' })]);
  }
  if (plan?.cheaperModel) {
    const model = plan.cheaperModel;
    levels.push(['cheaper_model', () => call(task, { scope: 'full', model })]);
  }
  if (plan?.cachedAnswer) {
    const cached = plan.cachedAnswer;
    levels.push(['cached_answer', async () => cached(task)]);
  }
  if (levels.length === 0) throw new StrategyNotApplicableError(strategy, 'no degradation plan for agent');
  let last: unknown = new StrategyNotApplicableError(strategy, 'no cached answer');
  for (const [level, run] of levels) {
    try {
      const value = await run();
      if (value === undefined) {
        episode?.event(EVENT_ATTEMPT, { [ATTR_RECOVERY_DEGRADATION]: level, [ATTR_RECOVERY_OUTCOME]: 'failed', reason: 'no_value' });
        continue;
      }
      episode?.event(EVENT_ATTEMPT, { [ATTR_RECOVERY_DEGRADATION]: level, [ATTR_RECOVERY_OUTCOME]: 'recovered' });
      episode?.set({ [ATTR_RECOVERY_DEGRADATION]: level });
      return value;
    } catch (err) {
      last = err;
      episode?.event(EVENT_ATTEMPT, { [ATTR_RECOVERY_DEGRADATION]: level, [ATTR_RECOVERY_OUTCOME]: 'failed', [ATTR_ERROR_TYPE]: errorTypeOf(err) });
    }
  }
  throw last;
}
