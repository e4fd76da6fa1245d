export { runDegradation } from './DegradationPlan.js';
export type { DegradationPlan, DegradationLevel, DegradedCall } from './DegradationPlan.js';
