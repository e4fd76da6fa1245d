export { alertFingerprint } from './fingerprint.js';
export { evaluateConditions } from './conditions.js';
export type { ActiveCondition, ConditionInputs } from './conditions.js';
export { advanceAlerts, pendingNotifications, toReportAlert } from './stateMachine.js';
export type { AdvanceResult, AlertTransition, StoredAlert } from './stateMachine.js';
export { readAlertStates } from './persistence.js';
export * from './rules.js';
