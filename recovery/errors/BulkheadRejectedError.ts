import { RecoveryError } from './RecoveryError.js';

/** The domain's pool and its queue are full; classed as performance degradation (saturation). */
export class BulkheadRejectedError extends RecoveryError {
  constructor(
    readonly domain: string,
    readonly maxConcurrent: number,
    readonly maxQueue: number,
    cause?: unknown,
  ) {
    super(`pool "${domain}" is full (${maxConcurrent} running, ${maxQueue} queued)`, {
      code: 'bulkhead_rejected',
      errorClass: 'performance_degradation',
      cause,
    });
  }
}
