import type { BreakerState } from '../attributes.js';
import { RecoveryError } from './RecoveryError.js';

/** Thrown without calling the agent when its breaker is open (or half-open with the trial taken). */
export class BrokenCircuitError extends RecoveryError {
  constructor(
    readonly agent: string,
    readonly state: BreakerState,
    readonly retryAfterMs: number,
  ) {
    super(`circuit for agent "${agent}" is ${state}; retry in ${Math.ceil(retryAfterMs)} ms`, {
      code: 'circuit_open',
      errorClass: 'agent_failure',
    });
  }
}
