import { RecoveryError } from './RecoveryError.js';

/**
 * A strategy could not even be tried (no checkpoint, no fallback agent, spare pool full).
 * Recorded with outcome `rejected` so it does not count as a failed recovery attempt.
 */
export class StrategyNotApplicableError extends RecoveryError {
  constructor(
    readonly strategy: string,
    readonly reason: string,
    cause?: unknown,
  ) {
    super(`${strategy} not applicable: ${reason}`, { code: 'not_applicable', cause });
  }
}
