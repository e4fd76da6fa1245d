import type { Tracer } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE, ATTR_RECOVERY_OUTCOME, EVENT_COMPENSATION } from '../attributes.js';
import { errorTypeOf } from '../classify/classifyError.js';
import { CompensationError } from '../errors/CompensationError.js';
import { NEVER_ABORTED } from '../policy/Policy.js';
import { RecoveryEpisode } from '../tracing/RecoveryEpisode.js';

export interface SagaStep<T = unknown> {
  name: string;
  action(signal: AbortSignal): Promise<T>;
  /** Undo for a completed action; receives the action's result. */
  compensate?(result: T, signal: AbortSignal): Promise<void>;
}

export interface SagaOptions {
  name?: string;
  agent?: string;
  tracer?: Tracer;
}

/**
 * Runs steps in order; when one fails, runs the compensations of the completed steps in
 * reverse order. Every compensation is attempted even if an earlier one fails. All
 * compensations succeeding → the original error is rethrown (span outcome recovered: state is
 * consistent again); any failing → a {@link CompensationError} carrying every compensation
 * failure and the original error as `cause` (outcome failed). Nothing is swallowed.
 *
 * @example
 * await new Saga({ name: 'book-trip' })
 *   .step({ name: 'flight', action: bookFlight, compensate: (f) => cancelFlight(f) })
 *   .step({ name: 'hotel', action: bookHotel, compensate: (h) => cancelHotel(h) })
 *   .run(signal);
 */
export class Saga {
  readonly #steps: SagaStep<any>[] = [];

  constructor(readonly options: SagaOptions = {}) {}

  step<T>(step: SagaStep<T>): this {
    this.#steps.push(step);
    return this;
  }

  /** Runs the saga and returns each step's result by name. */
  async run(signal: AbortSignal = NEVER_ABORTED): Promise<Record<string, unknown>> {
    const done: Array<{ step: SagaStep<any>; result: unknown }> = [];
    const results: Record<string, unknown> = {};
    for (const step of this.#steps) {
      try {
        const result = await step.action(signal);
        done.push({ step, result });
        results[step.name] = result;
      } catch (err) {
        await this.#compensate(done, step.name, err);
        throw err;
      }
    }
    return results;
  }

  async #compensate(done: Array<{ step: SagaStep<any>; result: unknown }>, failedStep: string, original: unknown): Promise<void> {
    const episode = new RecoveryEpisode({
      strategy: 'compensate',
      tracer: this.options.tracer,
      agent: this.options.agent,
      error: original,
      attributes: { 'agentpulse.saga.name': this.options.name ?? 'saga', 'agentpulse.saga.failed_step': failedStep },
    });
    const failures: unknown[] = [];
    const failedSteps: string[] = [];
    // Compensations run even if the caller aborted: leaving half-done side effects is worse.
    for (const { step, result } of [...done].reverse()) {
      if (!step.compensate) continue;
      try {
        await step.compensate(result, NEVER_ABORTED);
        episode.event(EVENT_COMPENSATION, { step: step.name, [ATTR_RECOVERY_OUTCOME]: 'recovered' });
      } catch (err) {
        failures.push(err);
        failedSteps.push(step.name);
        episode.event(EVENT_COMPENSATION, { step: step.name, [ATTR_RECOVERY_OUTCOME]: 'failed', [ATTR_ERROR_TYPE]: errorTypeOf(err) });
      }
    }
    if (failures.length === 0) {
      episode.finish('recovered');
      return;
    }
    const error = new CompensationError(failures, failedSteps, original);
    episode.finish('failed', error);
    throw error;
  }
}
