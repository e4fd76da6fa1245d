import { RecoveryError } from './RecoveryError.js';

/** A call exceeded its time budget (the name matches the DOM `TimeoutError` convention). */
export class TimeoutError extends RecoveryError {
  constructor(
    readonly timeoutMs: number,
    cause?: unknown,
  ) {
    super(`operation timed out after ${timeoutMs} ms`, { code: 'timeout', errorClass: 'timeout', cause });
  }
}
