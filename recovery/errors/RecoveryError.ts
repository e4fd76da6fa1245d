import type { ErrorClass } from '../classify/errorClass.js';

export interface RecoveryErrorOptions {
  code: string;
  errorClass?: ErrorClass;
  cause?: unknown;
}

/**
 * Base for errors raised by recovery policies. `errorClass` lets the classifier read the
 * class directly instead of guessing from names or messages.
 */
export class RecoveryError extends Error {
  readonly code: string;
  readonly errorClass: ErrorClass | undefined;

  constructor(message: string, options: RecoveryErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.errorClass = options.errorClass;
  }
}

/** Type guard by shape, so errors from another copy of the package still match. */
export function isRecoveryError(err: unknown): err is RecoveryError {
  return err instanceof RecoveryError || (typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string' && 'errorClass' in err);
}
