import { trace, type Tracer } from '@opentelemetry/api';
import { z } from 'zod';
import {
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_RECOVERY_BREAKER_STATE,
  ATTR_RECOVERY_STRATEGY,
  EVENT_BREAKER_STATE_CHANGE,
  type BreakerState,
} from '../attributes.js';
import { classifyError, type ErrorClassifier } from '../classify/classifyError.js';
import type { ErrorClass } from '../classify/errorClass.js';
import { BrokenCircuitError } from '../errors/BrokenCircuitError.js';
import { Listeners } from '../policy/Listeners.js';
import { NEVER_ABORTED, type ExecuteOptions, type PolicyContext, type RecoveryPolicy } from '../policy/Policy.js';
import type { StateStore } from '../state/StateStore.js';
import { RecoveryEpisode, recordDecision } from '../tracing/RecoveryEpisode.js';
import { SlidingWindowCounter } from './SlidingWindowCounter.js';

export interface CircuitBreakerOptions {
  /** Agent this breaker protects (span attribute and persistence key). */
  agent: string;
  /** Failures within `windowMs` that open the circuit. Default 5. */
  failureThreshold?: number;
  /** Sliding window for counting failures. Default 60 000 ms. */
  windowMs?: number;
  /** How long the circuit stays open before admitting one trial. Default 30 000 ms. */
  openMs?: number;
  /** Which failures count. Default: everything except invalid_input (the caller's fault). */
  countsAsFailure?: (err: unknown, errorClass: ErrorClass) => boolean;
  classify?: ErrorClassifier;
  /** Persist state changes here (key `breaker:<agent>`), so a restart keeps an open circuit. */
  store?: StateStore;
  /** Emit a `recovery circuit_breaker` episode span per half-open trial. Default true. */
  traceTrials?: boolean;
  /** Receives background persistence errors (never thrown into the caller). */
  onError?: (err: unknown) => void;
  tracer?: Tracer;
  now?: () => number;
}

export interface BreakerStateChange {
  agent: string;
  from: BreakerState;
  to: BreakerState;
  at: number;
}

const snapshotSchema = z.object({
  state: z.enum(['closed', 'open', 'half_open']),
  openedAt: z.number().optional(),
  failures: z.array(z.number()).default([]),
});
export type BreakerSnapshot = z.infer<typeof snapshotSchema>;

export function breakerKey(agent: string): string {
  return `breaker:${agent}`;
}

/**
 * Count-in-sliding-window circuit breaker: opens after `failureThreshold` failures within
 * `windowMs`, stays open `openMs`, then admits exactly one trial while other callers are
 * rejected at once (fail fast, no queue). Trial success closes it, failure re-opens it.
 * Successes in the closed state do not reset the window: the rule is a count, not a streak.
 *
 * @example
 * const breaker = await CircuitBreakerPolicy.create({ agent: 'coder', store });
 * await breaker.execute(({ signal }) => coder.run(task, { signal }));
 */
export class CircuitBreakerPolicy implements RecoveryPolicy {
  readonly agent: string;
  readonly failureThreshold: number;
  readonly windowMs: number;
  readonly openMs: number;
  readonly #opts: CircuitBreakerOptions;
  readonly #now: () => number;
  readonly #classify: ErrorClassifier;
  readonly #window: SlidingWindowCounter;
  readonly #onStateChange = new Listeners<BreakerStateChange>();
  /** Fires on every transition (closed→open, open→half_open, half_open→closed/open). */
  readonly onStateChange = this.#onStateChange.add;
  #state: BreakerState = 'closed';
  #openedAt = 0;
  #trialInFlight = false;
  #persisting: Promise<void> = Promise.resolve();

  constructor(options: CircuitBreakerOptions, snapshot?: BreakerSnapshot) {
    this.#opts = options;
    this.agent = options.agent;
    this.failureThreshold = options.failureThreshold ?? 5;
    this.windowMs = options.windowMs ?? 60_000;
    this.openMs = options.openMs ?? 30_000;
    this.#now = options.now ?? Date.now;
    this.#classify = options.classify ?? classifyError;
    this.#window = new SlidingWindowCounter(this.failureThreshold, this.windowMs);
    if (snapshot) {
      // A half-open breaker that died mid-trial comes back open: its trial never reported.
      this.#state = snapshot.state === 'closed' ? 'closed' : 'open';
      this.#openedAt = snapshot.openedAt ?? 0;
      this.#window.restore(snapshot.failures);
    }
  }

  /** Creates a breaker, restoring persisted state for `options.agent` from `options.store`. */
  static async create(options: CircuitBreakerOptions): Promise<CircuitBreakerPolicy> {
    const raw = options.store ? await options.store.get(breakerKey(options.agent)) : undefined;
    const parsed = raw === undefined ? undefined : snapshotSchema.safeParse(raw);
    if (parsed && !parsed.success) options.onError?.(new Error(`ignoring malformed breaker state for "${options.agent}"`, { cause: parsed.error }));
    return new CircuitBreakerPolicy(options, parsed?.success ? parsed.data : undefined);
  }

  /** Observable state; an open circuit whose open period has passed reports half_open. */
  get state(): BreakerState {
    if (this.#state === 'open' && this.#now() - this.#openedAt >= this.openMs) return 'half_open';
    return this.#state;
  }

  /** Failures currently inside the window. */
  get recentFailures(): number {
    return this.#window.count(this.#now());
  }

  toJSON(): BreakerSnapshot {
    return { state: this.#state, openedAt: this.#state === 'closed' ? undefined : this.#openedAt, failures: this.#window.toJSON() };
  }

  /** Resolves when every state change so far has been persisted. */
  flush(): Promise<void> {
    return this.#persisting;
  }

  async execute<T>(fn: (ctx: PolicyContext) => Promise<T> | T, options?: ExecuteOptions): Promise<T> {
    const signal = options?.signal ?? NEVER_ABORTED;
    const now = this.#now();
    if (this.#state === 'open') {
      const remaining = this.#openedAt + this.openMs - now;
      if (remaining > 0) throw this.#reject('open', remaining);
      this.#transition('half_open', now);
    }
    if (this.#state === 'half_open') {
      if (this.#trialInFlight) throw this.#reject('half_open', 0);
      return this.#trial(fn, signal);
    }
    try {
      return await fn({ signal });
    } catch (err) {
      if (this.#counts(err, signal) && this.#window.record(this.#now()) && this.#state === 'closed') {
        this.#transition('open', this.#now());
      }
      throw err;
    }
  }

  async #trial<T>(fn: (ctx: PolicyContext) => Promise<T> | T, signal: AbortSignal): Promise<T> {
    this.#trialInFlight = true;
    const episode =
      this.#opts.traceTrials === false
        ? undefined
        : new RecoveryEpisode({ strategy: 'circuit_breaker', tracer: this.#opts.tracer, agent: this.agent, attributes: { [ATTR_RECOVERY_BREAKER_STATE]: 'half_open' } });
    try {
      const value = await (episode ? episode.with(() => fn({ signal })) : fn({ signal }));
      this.#window.reset();
      this.#transition('closed', this.#now(), episode);
      episode?.finish('recovered');
      return value;
    } catch (err) {
      if (signal.aborted) {
        // The caller gave up; the trial proved nothing, so the next caller gets the slot.
        episode?.finish('failed', err);
      } else if (this.#counts(err, signal)) {
        this.#transition('open', this.#now(), episode);
        episode?.finish('failed', err);
      } else {
        // The agent answered (e.g. rejected bad input), so it is alive.
        this.#window.reset();
        this.#transition('closed', this.#now(), episode);
        episode?.finish('recovered');
      }
      throw err;
    } finally {
      this.#trialInFlight = false;
    }
  }

  #counts(err: unknown, signal: AbortSignal): boolean {
    if (signal.aborted) return false;
    const cls = this.#classify(err);
    return this.#opts.countsAsFailure ? this.#opts.countsAsFailure(err, cls) : cls !== 'invalid_input';
  }

  #reject(state: BreakerState, remainingMs: number): BrokenCircuitError {
    const err = new BrokenCircuitError(this.agent, state, remainingMs);
    recordDecision({
      strategy: 'circuit_breaker',
      tracer: this.#opts.tracer,
      agent: this.agent,
      errorClass: 'agent_failure',
      error: err,
      outcome: 'rejected',
      attributes: { [ATTR_RECOVERY_BREAKER_STATE]: state },
    });
    return err;
  }

  #transition(to: BreakerState, at: number, episode?: RecoveryEpisode): void {
    const from = this.#state;
    if (from === to) return;
    this.#state = to;
    if (to === 'open') this.#openedAt = at;
    const attrs = { from, to, [ATTR_RECOVERY_BREAKER_STATE]: to, [ATTR_RECOVERY_STRATEGY]: 'circuit_breaker', [ATTR_GEN_AI_AGENT_NAME]: this.agent };
    if (episode) {
      episode.event(EVENT_BREAKER_STATE_CHANGE, attrs);
      episode.set({ [ATTR_RECOVERY_BREAKER_STATE]: to });
    } else trace.getActiveSpan()?.addEvent(EVENT_BREAKER_STATE_CHANGE, attrs);
    this.#onStateChange.emit({ agent: this.agent, from, to, at });
    this.#persist();
  }

  #persist(): void {
    const store = this.#opts.store;
    if (!store) return;
    const snapshot = this.toJSON();
    // Chained so writes land in transition order; failures go to onError, never to the caller.
    this.#persisting = this.#persisting
      .then(() => store.set(breakerKey(this.agent), snapshot))
      .catch((err: unknown) => this.#opts.onError?.(err));
  }
}
