/**
 * Span attribute names and values emitted by the recovery library. The store promotes
 * `agentpulse.recovery.strategy` / `.outcome` to columns, so these strings are a contract.
 */
export const ATTR_RECOVERY_STRATEGY = 'agentpulse.recovery.strategy';
export const ATTR_RECOVERY_ATTEMPT = 'agentpulse.recovery.attempt';
export const ATTR_RECOVERY_DELAY_MS = 'agentpulse.recovery.delay_ms';
export const ATTR_RECOVERY_BREAKER_STATE = 'agentpulse.recovery.breaker.state';
export const ATTR_RECOVERY_ERROR_CLASS = 'agentpulse.recovery.error_class';
export const ATTR_RECOVERY_OUTCOME = 'agentpulse.recovery.outcome';
/** Pool (bulkhead domain) a call ran in; lets dashboards show isolation. */
export const ATTR_RECOVERY_DOMAIN = 'agentpulse.recovery.domain';
/** Agent that finally served the call when a fallback/equivalent agent was used. */
export const ATTR_RECOVERY_TARGET_AGENT = 'agentpulse.recovery.target_agent';
/** Degradation level used (reduced_scope | cheaper_model | cached_answer). */
export const ATTR_RECOVERY_DEGRADATION = 'agentpulse.recovery.degradation';
/** OpenTelemetry GenAI / general semantic conventions reused as-is. */
export const ATTR_GEN_AI_AGENT_NAME = 'gen_ai.agent.name';
export const ATTR_ERROR_TYPE = 'error.type';

/** Span-event names (per-attempt and per-decision detail inside one episode span). */
export const EVENT_ATTEMPT = 'agentpulse.recovery.attempt';
export const EVENT_BREAKER_STATE_CHANGE = 'agentpulse.recovery.breaker.state_change';
export const EVENT_DECISION = 'agentpulse.recovery.decision';
export const EVENT_COMPENSATION = 'agentpulse.recovery.compensation';
export const EVENT_ESCALATION = 'agentpulse.recovery.escalation';

export const RECOVERY_STRATEGIES = [
  'retry',
  'circuit_breaker',
  'bulkhead',
  'timeout',
  'fallback_agent',
  'equivalent_agent',
  'decompose',
  'escalate',
  'checkpoint_restore',
  'rebuild_context',
  'scale_resources',
  'reduce_scope',
  'degrade',
  'compensate',
  'budget',
] as const;
export type RecoveryStrategy = (typeof RECOVERY_STRATEGIES)[number];

/**
 * recovered/failed/escalated count as attempts in the analyzer; rejected (policy refused
 * to run the call) and not_needed (nothing failed) do not.
 */
export const RECOVERY_OUTCOMES = ['recovered', 'failed', 'escalated', 'rejected', 'not_needed'] as const;
export type RecoveryOutcome = (typeof RECOVERY_OUTCOMES)[number];

export const BREAKER_STATES = ['closed', 'open', 'half_open'] as const;
export type BreakerState = (typeof BREAKER_STATES)[number];
