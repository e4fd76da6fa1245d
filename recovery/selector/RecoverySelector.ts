import type { Tracer } from '@opentelemetry/api';
import { ATTR_RECOVERY_BREAKER_STATE, ATTR_RECOVERY_DOMAIN, EVENT_DECISION, EVENT_ESCALATION, type RecoveryStrategy } from '../attributes.js';
import type { AgentCallContext, AgentTask, RecoverableAgent } from '../agents/Agent.js';
import { AgentRegistry } from '../agents/AgentRegistry.js';
import { CircuitBreakerRegistry, type BreakerDefaults } from '../breaker/CircuitBreakerRegistry.js';
import { BulkheadRegistry, type BulkheadRegistryOptions } from '../bulkhead/BulkheadRegistry.js';
import type { BulkheadPolicy } from '../bulkhead/BulkheadPolicy.js';
import { CheckpointStore } from '../checkpoint/CheckpointStore.js';
import { classifyError, errorTypeOf, type ErrorClassifier } from '../classify/classifyError.js';
import type { ErrorClass } from '../classify/errorClass.js';
import { runDegradation, type DegradationPlan } from '../degrade/DegradationPlan.js';
import { BulkheadRejectedError } from '../errors/BulkheadRejectedError.js';
import { EscalatedError } from '../errors/EscalatedError.js';
import { StrategyNotApplicableError } from '../errors/StrategyNotApplicableError.js';
import { FallbackChain, type DecomposeHook } from '../fallback/FallbackChain.js';
import { sleep } from '../policy/abortable.js';
import { NEVER_ABORTED } from '../policy/Policy.js';
import { RetryPolicy, type RetryOptions } from '../retry/RetryPolicy.js';
import { MemoryStateStore } from '../state/MemoryStateStore.js';
import type { StateStore } from '../state/StateStore.js';
import { TimeoutPolicy, type TimeoutMode } from '../timeout/TimeoutPolicy.js';
import type { RecoveryEpisode } from '../tracing/RecoveryEpisode.js';
import { runEpisode } from '../tracing/runEpisode.js';
import { DEFAULT_STRATEGY_MATRIX, type SelectorStrategy, type StrategyMatrix } from './strategyMatrix.js';

/** Handed to the escalation callback when automatic recovery gives up. */
export interface EscalationEvent {
  agent: string;
  task: AgentTask;
  error: unknown;
  errorClass: ErrorClass;
  /** Strategies already tried for this call, in order. */
  tried: readonly RecoveryStrategy[];
}

export interface RecoverySelectorOptions {
  agents?: AgentRegistry | Iterable<RecoverableAgent>;
  /** Overrides per error class; unspecified classes keep the default row. */
  matrix?: Partial<StrategyMatrix>;
  classify?: ErrorClassifier;
  /** Breaker state and checkpoints persist here. Default: in-memory. */
  store?: StateStore;
  breaker?: BreakerDefaults;
  bulkheads?: BulkheadRegistryOptions;
  /** Per-call time budget; omit for none. */
  timeoutMs?: number;
  timeoutMode?: TimeoutMode;
  /** Retry strategy options. Default retryOn excludes agent_failure (the breaker owns that). */
  retry?: RetryOptions;
  /** Wait before the circuit_breaker strategy's single guarded re-invoke. Default 1000 ms. */
  breakerRetryDelayMs?: number;
  /** Declared fallback chains: agent name → ordered alternatives. */
  fallbacks?: Readonly<Record<string, readonly string[]>>;
  decompose?: DecomposeHook;
  degradation?: Readonly<Record<string, DegradationPlan<any, any>>>;
  /** Rebuilds lost context from scratch (e.g. re-reading the task's sources). */
  rebuildContext?: (agent: RecoverableAgent, task: AgentTask, signal: AbortSignal) => Promise<unknown>;
  /** Called once per escalation; its failure is recorded, never replaces the original error. */
  onEscalate?: (event: EscalationEvent) => void | Promise<void>;
  tracer?: Tracer;
}

interface CallOverrides {
  scope?: 'full' | 'reduced';
  model?: string;
  restoredContext?: unknown;
  pool?: BulkheadPolicy;
}

interface Failure {
  agent: RecoverableAgent;
  task: AgentTask;
  error: unknown;
  errorClass: ErrorClass;
  signal: AbortSignal;
  tried: RecoveryStrategy[];
  call(agent: RecoverableAgent, task: AgentTask, overrides?: CallOverrides): Promise<unknown>;
}

/**
 * Runs agent calls through pool → breaker → timeout and, when a call fails, classifies the
 * error and applies the matrix's strategies in order, each as one traced episode.
 *
 * @example
 * const selector = new RecoverySelector({ agents: [planner, backupPlanner], fallbacks: { planner: ['backup-planner'] }, onEscalate: page });
 * const plan = await selector.run(planner, { id: 't1', input: goal }, { signal });
 */
export class RecoverySelector {
  readonly agents: AgentRegistry;
  readonly breakers: CircuitBreakerRegistry;
  readonly bulkheads: BulkheadRegistry;
  readonly checkpoints: CheckpointStore;
  readonly fallback: FallbackChain;
  readonly matrix: StrategyMatrix;
  readonly #opts: RecoverySelectorOptions;
  readonly #classify: ErrorClassifier;
  readonly #retry: RetryPolicy;
  readonly #timeout: TimeoutPolicy | undefined;

  constructor(options: RecoverySelectorOptions = {}) {
    this.#opts = options;
    this.agents = options.agents instanceof AgentRegistry ? options.agents : new AgentRegistry(options.agents ?? []);
    const store = options.store ?? new MemoryStateStore();
    this.#classify = options.classify ?? classifyError;
    // The selector records circuit_breaker episodes itself; trial spans would double-count.
    this.breakers = new CircuitBreakerRegistry({ store, defaults: { classify: this.#classify, tracer: options.tracer, traceTrials: false, ...options.breaker } });
    this.bulkheads = new BulkheadRegistry({ tracer: options.tracer, ...options.bulkheads });
    this.checkpoints = new CheckpointStore(store);
    this.fallback = new FallbackChain({ agents: this.agents, chains: options.fallbacks, decompose: options.decompose });
    this.matrix = Object.freeze({ ...DEFAULT_STRATEGY_MATRIX, ...options.matrix });
    this.#retry = new RetryPolicy({ retryOn: ['timeout', 'rate_limit', 'performance_degradation'], classify: this.#classify, tracer: options.tracer, ...options.retry });
    this.#timeout = options.timeoutMs === undefined ? undefined : new TimeoutPolicy({ ms: options.timeoutMs, mode: options.timeoutMode });
  }

  /** The matrix row for `errorClass`; an agent with a declared fallback also tries it before `escalate`. */
  strategiesFor(errorClass: ErrorClass): readonly SelectorStrategy[] {
    return this.matrix[errorClass];
  }

  /** Runs `task` on `agent`, recovering from failures per the matrix. */
  async run<I, O>(agent: RecoverableAgent<I, O>, task: AgentTask<I>, options: { signal?: AbortSignal } = {}): Promise<O> {
    const signal = options.signal ?? NEVER_ABORTED;
    let attempt = 0;
    const call = (target: RecoverableAgent, t: AgentTask, overrides: CallOverrides = {}): Promise<unknown> =>
      this.#invoke(target, t, overrides, attempt++, signal);
    try {
      return (await call(agent as RecoverableAgent, task as AgentTask)) as O;
    } catch (error) {
      if (signal.aborted) throw error;
      const errorClass = this.#classify(error);
      const failure: Failure = { agent: agent as RecoverableAgent, task: task as AgentTask, error, errorClass, signal, tried: [], call };
      return (await this.#recover(failure)) as O;
    }
  }

  /**
   * The matrix row for this failure, with one exception: an agent that has a declared fallback
   * able to take the task tries it before `escalate`. The user named that agent as the way out, so
   * a human is paged only when it is unavailable (open breaker) or fails too — e.g. agent_failure
   * with the primary's breaker open goes circuit_breaker (rejected) → fallback_agent → escalate.
   */
  #plan(f: Failure): readonly SelectorStrategy[] {
    const row = this.matrix[f.errorClass];
    const escalateAt = row.indexOf('escalate');
    if (escalateAt < 0 || row.slice(0, escalateAt).includes('fallback_agent')) return row;
    if (this.fallback.declared(f.agent.name, f.task.requires ?? f.agent.capabilities).length === 0) return row;
    return [...row.slice(0, escalateAt), 'fallback_agent', ...row.slice(escalateAt)];
  }

  async #recover(failure: Failure): Promise<unknown> {
    const strategies = this.#plan(failure);
    let last = failure.error;
    for (const strategy of strategies) {
      failure.tried.push(strategy);
      try {
        return await this.#apply(strategy, failure);
      } catch (err) {
        if (err instanceof EscalatedError || failure.signal.aborted) throw err;
        if (!(err instanceof StrategyNotApplicableError)) last = err;
      }
    }
    throw last;
  }

  #apply(strategy: SelectorStrategy, f: Failure): Promise<unknown> {
    const required = f.task.requires ?? f.agent.capabilities;
    const again = (overrides?: CallOverrides) => f.call(f.agent, f.task, overrides);
    if (strategy === 'retry') {
      // RetryPolicy emits its own episode span (with per-attempt events).
      return this.#retry.recover(() => again(), f.error, { signal: f.signal, agent: f.agent.name });
    }
    return runEpisode({ strategy, tracer: this.#opts.tracer, agent: f.agent.name, errorClass: f.errorClass, error: f.error }, (episode) => {
      switch (strategy) {
        case 'fallback_agent': {
          const declared = this.fallback.declared(f.agent.name, required);
          const candidates = declared.length > 0 ? declared : this.fallback.equivalents(f.agent.name, required);
          return this.fallback.tryAgents(strategy, this.#available(candidates), f.task, (a, t) => f.call(a, t), episode, f.signal);
        }
        case 'equivalent_agent':
          return this.fallback.tryAgents(strategy, this.#available(this.fallback.equivalents(f.agent.name, required)), f.task, (a, t) => f.call(a, t), episode, f.signal);
        case 'decompose':
          return this.fallback.decompose(f.agent.name, f.task, required, (a, t) => f.call(a, t), episode);
        case 'circuit_breaker':
          return this.#breakerRetry(f, episode);
        case 'escalate':
          return this.#escalate(f, episode);
        case 'checkpoint_restore':
          return this.#restore(f, episode);
        case 'rebuild_context':
          return this.#rebuild(f, episode);
        case 'scale_resources':
          return this.#scale(f, episode);
        case 'reduce_scope':
        case 'degrade':
          return runDegradation(strategy, this.#opts.degradation?.[f.agent.name], f.task, (t, o) => f.call(f.agent, t, o), episode);
      }
    });
  }

  /** Drops candidates whose circuit is open: calling them would only be rejected. */
  #available(candidates: RecoverableAgent[]): RecoverableAgent[] {
    return candidates.filter((a) => this.breakers.peek(a.name)?.state !== 'open');
  }

  async #breakerRetry(f: Failure, episode: RecoveryEpisode): Promise<unknown> {
    const breaker = await this.breakers.get(f.agent.name);
    episode.set({ [ATTR_RECOVERY_BREAKER_STATE]: breaker.state });
    if (breaker.state === 'open') throw new StrategyNotApplicableError('circuit_breaker', 'circuit open', f.error);
    await sleep(this.#opts.breakerRetryDelayMs ?? 1000, f.signal);
    try {
      return await f.call(f.agent, f.task);
    } finally {
      episode.set({ [ATTR_RECOVERY_BREAKER_STATE]: breaker.state });
    }
  }

  async #escalate(f: Failure, episode: RecoveryEpisode): Promise<never> {
    const event: EscalationEvent = { agent: f.agent.name, task: f.task, error: f.error, errorClass: f.errorClass, tried: [...f.tried] };
    try {
      await this.#opts.onEscalate?.(event);
      episode.event(EVENT_ESCALATION, { delivered: this.#opts.onEscalate !== undefined });
    } catch (err) {
      episode.event(EVENT_ESCALATION, { delivered: false, 'error.type': errorTypeOf(err) });
    }
    throw new EscalatedError(f.agent.name, f.errorClass, f.error);
  }

  async #restore(f: Failure, episode: RecoveryEpisode): Promise<unknown> {
    const checkpoint = await this.checkpoints.load(f.agent.name, taskKey(f.task));
    if (!checkpoint) throw new StrategyNotApplicableError('checkpoint_restore', 'no checkpoint', f.error);
    episode.event(EVENT_DECISION, { checkpoint_age_ms: Date.now() - checkpoint.savedAt });
    return f.call(f.agent, f.task, { restoredContext: checkpoint.context });
  }

  async #rebuild(f: Failure, episode: RecoveryEpisode): Promise<unknown> {
    const rebuild = this.#opts.rebuildContext;
    if (!rebuild) throw new StrategyNotApplicableError('rebuild_context', 'no rebuildContext hook', f.error);
    const context = await rebuild(f.agent, f.task, f.signal);
    await this.checkpoints.save(f.agent.name, taskKey(f.task), context);
    episode.event(EVENT_DECISION, { rebuilt: true });
    return f.call(f.agent, f.task, { restoredContext: context });
  }

  async #scale(f: Failure, episode: RecoveryEpisode): Promise<unknown> {
    const burst = this.bulkheads.burst(f.agent.domain ?? f.agent.name);
    if (!burst) throw new StrategyNotApplicableError('scale_resources', 'no burst capacity configured', f.error);
    episode.set({ [ATTR_RECOVERY_DOMAIN]: burst.domain });
    try {
      return await f.call(f.agent, f.task, { pool: burst });
    } catch (err) {
      // A full burst pool means scaling was not possible, not that it failed.
      if (err instanceof BulkheadRejectedError && err.domain === burst.domain) throw new StrategyNotApplicableError('scale_resources', 'burst pool full', err);
      throw err;
    }
  }

  async #invoke(agent: RecoverableAgent, task: AgentTask, overrides: CallOverrides, attempt: number, signal: AbortSignal): Promise<unknown> {
    const pool = overrides.pool ?? this.bulkheads.pool(agent.domain ?? agent.name);
    const breaker = await this.breakers.get(agent.name);
    const key = taskKey(task);
    const run = (s: AbortSignal): Promise<unknown> => {
      const ctx: AgentCallContext = {
        signal: s,
        attempt,
        scope: overrides.scope ?? 'full',
        model: overrides.model,
        restoredContext: overrides.restoredContext,
        saveCheckpoint: (context) => this.checkpoints.save(agent.name, key, context),
      };
      return agent.invoke(task, ctx);
    };
    const timeout = this.#timeout;
    return pool.execute(
      ({ signal: s1 }) => breaker.execute(({ signal: s2 }) => (timeout ? timeout.execute(({ signal: s3 }) => run(s3), { signal: s2 }) : run(s2)), { signal: s1 }),
      { signal },
    );
  }
}

function taskKey(task: AgentTask): string {
  return task.id ?? task.type ?? 'default';
}
