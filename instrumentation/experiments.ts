import { trace } from '@opentelemetry/api';
import { assignVariant } from '../analyzer/learning/assignment.js';

export interface VariantOptions {
  /** Variant names, control first (default ['control', 'treatment']). */
  variants?: readonly string[];
  /** Intended shares, one per variant (default equal). */
  weights?: readonly number[];
}

/**
 * Assigns `unitId` to a variant of `experiment` by a deterministic hash (same unit → same
 * variant, in every process) and tags the active span with `agentpulse.experiment.<name>` =
 * variant and `agentpulse.experiment.<name>.unit` = unitId, so the analyzer can compare task
 * outcomes per variant. Call it inside `traceTask` so the task span carries the tag.
 * @example
 * await traceTask({ type: 'support' }, async () => {
 *   const prompt = variant('prompt-v2', userId) === 'treatment' ? NEW_PROMPT : OLD_PROMPT;
 * });
 */
export function variant(experiment: string, unitId: string, options: VariantOptions = {}): string {
  const variants = options.variants ?? ['control', 'treatment'];
  const chosen = assignVariant(experiment, unitId, variants, options.weights);
  const span = trace.getActiveSpan();
  if (span) {
    span.setAttribute(`agentpulse.experiment.${experiment}`, chosen);
    span.setAttribute(`agentpulse.experiment.${experiment}.unit`, unitId);
  }
  return chosen;
}
