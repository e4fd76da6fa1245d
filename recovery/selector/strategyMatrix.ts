import type { RecoveryStrategy } from '../attributes.js';
import type { ErrorClass } from '../classify/errorClass.js';

/** Strategies the selector can apply to a failed agent call (bulkhead/timeout/compensate are policies). */
// Budgets are enforced by BudgetPolicy around a call, not chosen after a failure.
export type SelectorStrategy = Exclude<RecoveryStrategy, 'bulkhead' | 'timeout' | 'compensate' | 'budget'>;

/** Error class → strategies tried in order (primary, then fallbacks). */
export type StrategyMatrix = Readonly<Record<ErrorClass, readonly SelectorStrategy[]>>;

/**
 * The seed matrix (first five rows) plus choices for the extra classes:
 * rate limits behave like timeouts (Retry-After is honoured by retry), auth needs a human,
 * invalid input is the caller's bug (no recovery: rethrown), unknown errors get one
 * breaker-guarded retry and then a human.
 */
export const DEFAULT_STRATEGY_MATRIX: StrategyMatrix = Object.freeze({
  timeout: ['retry', 'fallback_agent'],
  capability_missing: ['equivalent_agent', 'decompose'],
  agent_failure: ['circuit_breaker', 'escalate'],
  context_loss: ['checkpoint_restore', 'rebuild_context'],
  performance_degradation: ['scale_resources', 'reduce_scope'],
  rate_limit: ['retry', 'fallback_agent'],
  auth: ['escalate'],
  invalid_input: [],
  unknown: ['circuit_breaker', 'escalate'],
});
