import { trace, type Tracer } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_RECOVERY_ATTEMPT,
  ATTR_RECOVERY_DELAY_MS,
  ATTR_RECOVERY_ERROR_CLASS,
  ATTR_RECOVERY_OUTCOME,
  ATTR_RECOVERY_STRATEGY,
  EVENT_ATTEMPT,
  EVENT_DECISION,
} from '../attributes.js';
import { classifyError, errorTypeOf, type ErrorClassifier } from '../classify/classifyError.js';
import type { ErrorClass } from '../classify/errorClass.js';
import { retryAfterMs } from '../classify/retryAfter.js';
import { sleep } from '../policy/abortable.js';
import { Listeners } from '../policy/Listeners.js';
import { NEVER_ABORTED, type ExecuteOptions, type PolicyContext, type RecoveryPolicy } from '../policy/Policy.js';
import { RecoveryEpisode } from '../tracing/RecoveryEpisode.js';
import { DEFAULT_BACKOFF, exponentialDelay, type BackoffOptions } from './backoff.js';

export const DEFAULT_RETRYABLE: readonly ErrorClass[] = ['timeout', 'rate_limit', 'performance_degradation', 'agent_failure'];

export interface RetryOptions extends Partial<BackoffOptions> {
  /**
   * Retries after the initial call. Default 3: the seed's "max attempts 3, backoff 1 s, 2 s,
   * 4 s" lists three delays, so we read it as three retries (four calls in total).
   */
  maxRetries?: number;
  /** Classes worth retrying. Default timeout, rate_limit, performance_degradation, agent_failure. */
  retryOn?: readonly ErrorClass[];
  classify?: ErrorClassifier;
  /** Wait the server's Retry-After instead of the backoff when present. Default true. */
  honorRetryAfter?: boolean;
  /** A Retry-After longer than this ends the episode (failed) instead of sleeping. Default 60 000 ms. */
  maxRetryAfterMs?: number;
  /** Agent name for span attributes. */
  agent?: string;
  tracer?: Tracer;
  /** Uniform [0, 1) source for jitter; injectable for deterministic tests. */
  random?: () => number;
}

export interface RetryEvent {
  /** 1-based retry number. */
  attempt: number;
  delayMs: number;
  error: unknown;
  errorClass: ErrorClass;
  /** True when the delay came from Retry-After. */
  retryAfter: boolean;
}

/**
 * Retries retryable failures with exponential backoff and ±jitter, honouring Retry-After.
 * The backoff sleep is abortable. One span per failing call (the episode), one event per attempt.
 *
 * @example
 * const retry = new RetryPolicy({ agent: 'planner' });
 * const answer = await retry.execute(({ signal }) => llm.call(prompt, { signal }), { signal });
 */
export class RetryPolicy implements RecoveryPolicy {
  readonly options: Readonly<Required<Omit<RetryOptions, 'agent' | 'tracer'>>> & Pick<RetryOptions, 'agent' | 'tracer'>;
  readonly #retryOn: ReadonlySet<ErrorClass>;
  readonly #onRetry = new Listeners<RetryEvent>();
  readonly #onGiveUp = new Listeners<{ error: unknown; errorClass: ErrorClass; attempts: number }>();
  /** Fires before each backoff sleep. */
  readonly onRetry = this.#onRetry.add;
  /** Fires when the policy stops retrying and rethrows. */
  readonly onGiveUp = this.#onGiveUp.add;

  constructor(options: RetryOptions = {}) {
    this.options = Object.freeze({
      ...DEFAULT_BACKOFF,
      maxRetries: 3,
      retryOn: DEFAULT_RETRYABLE,
      classify: classifyError,
      honorRetryAfter: true,
      maxRetryAfterMs: 60_000,
      random: Math.random,
      ...options,
    });
    this.#retryOn = new Set(this.options.retryOn);
  }

  /** Whether this policy would retry `err`. */
  isRetryable(err: unknown): boolean {
    return this.#retryOn.has(this.options.classify(err));
  }

  async execute<T>(fn: (ctx: PolicyContext) => Promise<T> | T, options?: ExecuteOptions): Promise<T> {
    const signal = options?.signal ?? NEVER_ABORTED;
    try {
      return await fn({ signal });
    } catch (err) {
      return this.recover(fn, err, { signal });
    }
  }

  /** Continues after a call already failed with `firstError` (used by the strategy selector). */
  async recover<T>(fn: (ctx: PolicyContext) => Promise<T> | T, firstError: unknown, options?: ExecuteOptions & { agent?: string }): Promise<T> {
    const signal = options?.signal ?? NEVER_ABORTED;
    const agent = options?.agent ?? this.options.agent;
    const { classify } = this.options;
    const firstClass = classify(firstError);
    if (signal.aborted) throw firstError;
    if (!this.#retryOn.has(firstClass)) {
      // Declining is a decision too; record it on the caller's span rather than as an episode.
      trace.getActiveSpan()?.addEvent(EVENT_DECISION, {
        [ATTR_RECOVERY_STRATEGY]: 'retry',
        [ATTR_RECOVERY_ERROR_CLASS]: firstClass,
        [ATTR_RECOVERY_OUTCOME]: 'rejected',
        [ATTR_ERROR_TYPE]: errorTypeOf(firstError),
      });
      throw firstError;
    }
    const episode = new RecoveryEpisode({ strategy: 'retry', tracer: this.options.tracer, agent, errorClass: firstClass, error: firstError });
    episode.event(EVENT_ATTEMPT, attemptAttrs(0, 0, firstClass, firstError));
    let lastError = firstError;
    let lastClass = firstClass;
    let totalDelay = 0;
    let retries = 0;
    for (let attempt = 1; attempt <= this.options.maxRetries; attempt++) {
      const hinted = this.options.honorRetryAfter ? retryAfterMs(lastError) : undefined;
      if (hinted !== undefined && hinted > this.options.maxRetryAfterMs) {
        episode.event(EVENT_DECISION, { reason: 'retry_after_exceeds_cap', [ATTR_RECOVERY_DELAY_MS]: hinted });
        break;
      }
      const delay = hinted ?? exponentialDelay(attempt, this.options, this.options.random);
      this.#onRetry.emit({ attempt, delayMs: delay, error: lastError, errorClass: lastClass, retryAfter: hinted !== undefined });
      try {
        await sleep(delay, signal);
      } catch (abort) {
        episode.event(EVENT_DECISION, { reason: 'aborted_during_backoff', [ATTR_RECOVERY_ATTEMPT]: attempt });
        episode.set({ [ATTR_RECOVERY_ATTEMPT]: retries, [ATTR_RECOVERY_DELAY_MS]: totalDelay });
        episode.finish('failed', abort);
        throw abort;
      }
      totalDelay += delay;
      retries = attempt;
      try {
        const value = await episode.with(() => fn({ signal }));
        episode.event(EVENT_ATTEMPT, { [ATTR_RECOVERY_ATTEMPT]: attempt, [ATTR_RECOVERY_DELAY_MS]: delay, [ATTR_RECOVERY_OUTCOME]: 'recovered' });
        episode.set({ [ATTR_RECOVERY_ATTEMPT]: attempt, [ATTR_RECOVERY_DELAY_MS]: totalDelay });
        episode.finish('recovered');
        return value;
      } catch (err) {
        lastError = err;
        lastClass = classify(err);
        episode.event(EVENT_ATTEMPT, attemptAttrs(attempt, delay, lastClass, err));
        if (signal.aborted || !this.#retryOn.has(lastClass)) break;
      }
    }
    episode.set({ [ATTR_RECOVERY_ATTEMPT]: retries, [ATTR_RECOVERY_DELAY_MS]: totalDelay });
    episode.finish('failed', lastError);
    this.#onGiveUp.emit({ error: lastError, errorClass: lastClass, attempts: retries });
    throw lastError;
  }
}

function attemptAttrs(attempt: number, delay: number, cls: ErrorClass, err: unknown) {
  return {
    [ATTR_RECOVERY_ATTEMPT]: attempt,
    [ATTR_RECOVERY_DELAY_MS]: delay,
    [ATTR_RECOVERY_ERROR_CLASS]: cls,
    [ATTR_ERROR_TYPE]: errorTypeOf(err),
    [ATTR_RECOVERY_OUTCOME]: 'failed',
  };
}
