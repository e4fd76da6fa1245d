import { RecoveryError } from './RecoveryError.js';

/** An agent lost (or cannot hold) its working context; recover by checkpoint or rebuild. */
export class ContextLossError extends RecoveryError {
  constructor(message = 'agent context lost', cause?: unknown) {
    super(message, { code: 'context_loss', errorClass: 'context_loss', cause });
  }
}
