export { RecoverySelector } from './RecoverySelector.js';
export type { RecoverySelectorOptions, EscalationEvent } from './RecoverySelector.js';
export { DEFAULT_STRATEGY_MATRIX } from './strategyMatrix.js';
export type { StrategyMatrix, SelectorStrategy } from './strategyMatrix.js';
