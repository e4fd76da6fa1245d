import { RecoveryError } from './RecoveryError.js';

/** No agent (primary, equivalent or decomposed) can serve the required capabilities. */
export class CapabilityMissingError extends RecoveryError {
  constructor(
    readonly required: readonly string[],
    message = `no agent offers capabilities [${required.join(', ')}]`,
    cause?: unknown,
  ) {
    super(message, { code: 'capability_missing', errorClass: 'capability_missing', cause });
  }
}
