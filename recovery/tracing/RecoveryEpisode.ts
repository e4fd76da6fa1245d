import { SpanKind, SpanStatusCode, context, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_RECOVERY_ERROR_CLASS,
  ATTR_RECOVERY_OUTCOME,
  ATTR_RECOVERY_STRATEGY,
  type RecoveryOutcome,
  type RecoveryStrategy,
} from '../attributes.js';
import { errorTypeOf } from '../classify/classifyError.js';
import type { ErrorClass } from '../classify/errorClass.js';

export const TRACER_NAME = 'agentpulse.recovery';

/** Resolved per call so a provider registered after import still receives the spans. */
export function recoveryTracer(tracer?: Tracer): Tracer {
  return tracer ?? trace.getTracer(TRACER_NAME);
}

export interface EpisodeStart {
  strategy: RecoveryStrategy;
  tracer?: Tracer;
  agent?: string;
  errorClass?: ErrorClass;
  error?: unknown;
  attributes?: Attributes;
}

/**
 * One recovery episode = one span (one strategy applied to one failing call) that ends with
 * exactly one outcome. Per-attempt detail goes into span events, so the analyzer's
 * attempts/recovered counts are per episode and honest.
 */
export class RecoveryEpisode {
  readonly span: Span;
  #ended = false;

  constructor(start: EpisodeStart) {
    const attributes: Attributes = { [ATTR_RECOVERY_STRATEGY]: start.strategy, ...start.attributes };
    if (start.agent !== undefined) attributes[ATTR_GEN_AI_AGENT_NAME] = start.agent;
    if (start.errorClass !== undefined) attributes[ATTR_RECOVERY_ERROR_CLASS] = start.errorClass;
    if (start.error !== undefined) attributes[ATTR_ERROR_TYPE] = errorTypeOf(start.error);
    this.span = recoveryTracer(start.tracer).startSpan(
      `recovery ${start.strategy}`,
      { kind: SpanKind.INTERNAL, attributes },
      context.active(),
    );
  }

  /** Adds a span event (a per-attempt or per-decision record). */
  event(name: string, attributes?: Attributes): void {
    if (!this.#ended) this.span.addEvent(name, attributes);
  }

  set(attributes: Attributes): void {
    if (!this.#ended) this.span.setAttributes(attributes);
  }

  /** Ends the span with the final outcome; later calls are ignored so every path can call it. */
  finish(outcome: RecoveryOutcome, error?: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.span.setAttribute(ATTR_RECOVERY_OUTCOME, outcome);
    if (error !== undefined) {
      this.span.setAttribute(ATTR_ERROR_TYPE, errorTypeOf(error));
    }
    if (outcome === 'failed' || outcome === 'escalated') {
      this.span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : outcome });
    }
    this.span.end();
  }

  /** Runs `fn` with this episode's span active, so nested policy spans become children. */
  with<T>(fn: () => T): T {
    return context.with(trace.setSpan(context.active(), this.span), fn);
  }
}

/**
 * Records a one-off decision (rejection, timeout, skipped retry) as a single span with its
 * outcome already known.
 */
export function recordDecision(start: EpisodeStart & { outcome: RecoveryOutcome; eventName?: string; eventAttributes?: Attributes }): void {
  const episode = new RecoveryEpisode(start);
  if (start.eventName) episode.event(start.eventName, start.eventAttributes);
  episode.finish(start.outcome, start.error);
}
