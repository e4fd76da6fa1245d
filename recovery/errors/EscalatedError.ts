import type { ErrorClass } from '../classify/errorClass.js';
import { RecoveryError } from './RecoveryError.js';

/** Automatic recovery gave up and handed the failure to a human / escalation callback. */
export class EscalatedError extends RecoveryError {
  constructor(
    readonly agent: string,
    readonly originalClass: ErrorClass,
    cause: unknown,
  ) {
    super(`agent "${agent}" failed (${originalClass}); escalated`, { code: 'escalated', cause });
  }
}
