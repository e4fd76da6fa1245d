import { ATTR_ERROR_TYPE, ATTR_RECOVERY_ATTEMPT, ATTR_RECOVERY_OUTCOME, ATTR_RECOVERY_TARGET_AGENT, EVENT_ATTEMPT } from '../attributes.js';
import type { AgentTask, RecoverableAgent } from '../agents/Agent.js';
import { AgentRegistry } from '../agents/AgentRegistry.js';
import { errorTypeOf } from '../classify/classifyError.js';
import { CapabilityMissingError } from '../errors/CapabilityMissingError.js';
import { StrategyNotApplicableError } from '../errors/StrategyNotApplicableError.js';
import type { RecoveryEpisode } from '../tracing/RecoveryEpisode.js';

/** Calls an agent through the caller's policy stack (pool, breaker, timeout). */
export type AgentCall<O> = (agent: RecoverableAgent, task: AgentTask) => Promise<O>;

/** Splits a task nobody can serve whole into subtasks that existing agents can serve. */
export interface DecomposeHook {
  split(task: AgentTask, info: { agent: string; required: readonly string[] }): AgentTask[] | undefined | Promise<AgentTask[] | undefined>;
  combine(results: unknown[], task: AgentTask): unknown;
}

export interface FallbackChainOptions {
  agents: AgentRegistry;
  /** Declared ordered alternatives per agent name; tried before capability matching. */
  chains?: Readonly<Record<string, readonly string[]>>;
  decompose?: DecomposeHook;
}

/**
 * Ordered fallback agents with capability matching, and a decomposition hook for when no
 * single substitute exists. Candidates never include the failing agent and must offer the
 * task's required capabilities.
 */
export class FallbackChain {
  constructor(readonly options: FallbackChainOptions) {}

  /** Declared chain for `agent`, filtered to agents offering `required`. */
  declared(agent: string, required: readonly string[]): RecoverableAgent[] {
    const names = this.options.chains?.[agent] ?? [];
    return names
      .map((n) => this.options.agents.get(n))
      .filter((a): a is RecoverableAgent => a !== undefined && a.name !== agent && AgentRegistry.satisfies(a, required));
  }

  /** Capability-matched substitutes for `agent`, closest first. */
  equivalents(agent: string, required: readonly string[]): RecoverableAgent[] {
    return this.options.agents.findEquivalent(required, new Set([agent]));
  }

  /** Tries `candidates` in order; first success wins. Each try is an attempt event. */
  async tryAgents<O>(strategy: string, candidates: readonly RecoverableAgent[], task: AgentTask, call: AgentCall<O>, episode?: RecoveryEpisode, signal?: AbortSignal): Promise<O> {
    if (candidates.length === 0) throw new StrategyNotApplicableError(strategy, 'no candidate agent', new CapabilityMissingError(task.requires ?? []));
    let last: unknown;
    for (const [i, candidate] of candidates.entries()) {
      if (signal?.aborted) break;
      try {
        const value = await call(candidate, task);
        episode?.event(EVENT_ATTEMPT, { [ATTR_RECOVERY_ATTEMPT]: i + 1, [ATTR_RECOVERY_TARGET_AGENT]: candidate.name, [ATTR_RECOVERY_OUTCOME]: 'recovered' });
        episode?.set({ [ATTR_RECOVERY_TARGET_AGENT]: candidate.name, [ATTR_RECOVERY_ATTEMPT]: i + 1 });
        return value;
      } catch (err) {
        last = err;
        episode?.event(EVENT_ATTEMPT, {
          [ATTR_RECOVERY_ATTEMPT]: i + 1,
          [ATTR_RECOVERY_TARGET_AGENT]: candidate.name,
          [ATTR_RECOVERY_OUTCOME]: 'failed',
          [ATTR_ERROR_TYPE]: errorTypeOf(err),
        });
      }
    }
    throw last;
  }

  /** Runs the decomposition hook: each subtask goes to its closest capable agent. */
  async decompose<O>(agent: string, task: AgentTask, required: readonly string[], call: AgentCall<unknown>, episode?: RecoveryEpisode): Promise<O> {
    const hook = this.options.decompose;
    if (!hook) throw new StrategyNotApplicableError('decompose', 'no decomposition hook');
    const parts = await hook.split(task, { agent, required });
    if (!parts || parts.length === 0) throw new StrategyNotApplicableError('decompose', 'task not decomposable');
    const plan = parts.map((part) => {
      const needs = part.requires ?? [];
      const target = this.options.agents.findEquivalent(needs)[0];
      if (!target) throw new StrategyNotApplicableError('decompose', `no agent for subtask needing [${needs.join(', ')}]`, new CapabilityMissingError(needs));
      return { part, target };
    });
    episode?.event('agentpulse.recovery.decompose', { subtasks: plan.length, targets: plan.map((p) => p.target.name) });
    const results = await Promise.all(plan.map(({ part, target }) => call(target, part)));
    return hook.combine(results, task) as O;
  }
}
