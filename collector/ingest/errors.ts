import { AgentpulseError } from '../../store/errors.js';

/**
 * The ingest queue and the spool are both full: the request was not taken, nothing was lost.
 * The HTTP layer answers 429 with `Retry-After: retryAfterSeconds`.
 * @example
 * try { await queue.submit(spans, raw); } catch (err) { if (isQueueFullError(err)) wait(err.retryAfterSeconds); }
 */
export class QueueFullError extends AgentpulseError {
  constructor(
    readonly retryAfterSeconds: number,
    message = 'ingest queue is full; retry later',
  ) {
    super('QUEUE_FULL', message);
  }
}

/**
 * The store is not accepting writes (or the collector is shutting down) and the request could
 * not be made durable elsewhere. The HTTP layer answers 503 with `Retry-After: retryAfterSeconds`.
 */
export class StoreUnavailableError extends AgentpulseError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    options?: { cause?: unknown },
  ) {
    super('STORE_UNAVAILABLE', message, options);
  }
}

export function isQueueFullError(err: unknown): err is QueueFullError {
  return err instanceof QueueFullError;
}

export function isStoreUnavailableError(err: unknown): err is StoreUnavailableError {
  return err instanceof StoreUnavailableError;
}
