import type { CollectorMetrics } from '../CollectorMetrics.js';
import type { IngestOutcome, PendingRequests, RawRequest } from './PendingRequests.js';
import type { StoreHealth } from './StoreHealth.js';

/**
 * What a writer is given by the queue it drains: the pending requests, the shared store health,
 * and the queue's spool fallback, replay scheduling and idle notification.
 */
export interface WriterHost {
  readonly pending: PendingRequests;
  readonly health: StoreHealth;
  readonly metrics: CollectorMetrics;
  readonly maxBatchSpans: number;
  /** True once the queue stopped accepting requests. */
  readonly closed: boolean;
  onError(err: unknown, context: string): void;
  /** A request the store could not take: make it durable in the spool, or reject it. */
  spoolOrReject(count: number, raw: RawRequest, reason: 'queue_full' | 'store_unavailable'): Promise<IngestOutcome>;
  /** Replays the spool after `delayMs` (and not before the store's retry time). */
  scheduleReplay(delayMs: number): void;
  /** The writer stopped: replays any spool backlog and wakes whoever waits for progress. */
  writerStopped(): void;
  /** Wakes whoever waits for progress (see `waitForProgress`). */
  notifyIdle(): void;
  /** Resolves at the next `notifyIdle`, or after `pollMs`; the timer keeps the process alive only with `keepAlive`. */
  waitForProgress(pollMs: number, keepAlive?: boolean): Promise<void>;
}

/**
 * Drains an `IngestQueue` into the store. `GroupCommitWriter` writes batches and settles requests
 * when they commit; `StagedCommitter` (write-ahead mode) stages them into a long transaction.
 */
export interface IngestWriter {
  /** A batch is being taken or written. */
  readonly writing: boolean;
  /** `writing`, or handing a failed transaction to the spool: what `close` waits for. */
  readonly active: boolean;
  /** Nothing staged, being committed or being handed over. */
  readonly settled: boolean;
  /** Replay chunks in flight at once (a staged chunk settles only when its transaction commits). */
  readonly replayWindow: number;
  /** Starts writing pending requests unless a write is running. */
  wake(): void;
  /** Asks for whatever replay enqueued to be committed soon (after the writer staged it). */
  commitSoon(): void;
  /** For `drain`: commits what is staged now, unless the writer is still running. */
  flush(): void;
  /** Read barrier: resolves once requests acknowledged before the call are committed; false on timeout. */
  visible(timeoutMs: number): Promise<boolean>;
  /** After the queue stopped and pending requests were taken: commits what is staged, then lets go of the sink. */
  close(): Promise<void>;
}
