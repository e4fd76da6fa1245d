import type { SpanRecord } from '../../store/types.js';
import { batchSize, type TelemetryBatch } from '../../store/signals.js';
import type { PendingRequest } from './PendingRequests.js';
import type { Spool } from './Spool.js';
import type { WriteAheadLog } from './WriteAheadLog.js';
import type { CollectorMetrics } from '../CollectorMetrics.js';
import { QueueFullError, StoreUnavailableError } from './errors.js';
import { GroupCommitWriter } from './GroupCommitWriter.js';
import type { IngestWriter, WriterHost } from './IngestWriter.js';
import { PendingRequests, type IngestOutcome, type RawRequest } from './PendingRequests.js';
import { isStagingSink, type SpanSink, type SpoolDecoder } from './sinks.js';
import { SpoolReplayer, type ReplayHost } from './SpoolReplayer.js';
import { StagedCommitter } from './StagedCommitter.js';
import { StoreHealth } from './StoreHealth.js';

export { isStagingSink, type SpanSink, type StagingSpanSink, type SpoolDecoder } from './sinks.js';
export type { IngestOutcome } from './PendingRequests.js';

export interface IngestQueueOptions {
  maxQueueSpans: number;
  maxQueueBytes: number;
  maxBatchSpans: number;
  retryAfterSeconds: number;
  onError: (err: unknown, context: string) => void;
  /** With a write-ahead log: commit the staged transaction once it holds this many spans. */
  commitSpans?: number;
  /** With a write-ahead log: and at the latest this long after it opened. */
  maxCommitDelayMs?: number;
}

const noop = (): void => undefined;

/**
 * Bounded ingest queue: admits requests while there is room and the store is healthy, else
 * fsyncs them to the spool, else refuses them (`QueueFullError`, `StoreUnavailableError`). A
 * writer drains it: `GroupCommitWriter` group-commits several requests into one store transaction
 * and settles each once committed; with a write-ahead log and a staging sink, `StagedCommitter`
 * commits in large transactions and requests settle once fsynced to the log. `SpoolReplayer`
 * feeds spooled requests back in when the store is healthy.
 * @example
 * const queue = new IngestQueue(store, spool, decodeSpooled, metrics, { maxQueueSpans: 200_000, maxQueueBytes: 64 << 20, maxBatchSpans: 10_000, retryAfterSeconds: 1, onError }, wal);
 * queue.startReplay();
 * await queue.submit(spans, { kind: 1, payload: body }); // 'committed' | 'spooled' | 'logged'
 */
export class IngestQueue {
  private readonly pending = new PendingRequests();
  private readonly health = new StoreHealth();
  private readonly writer: IngestWriter;
  private readonly replayer: SpoolReplayer | null;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  /**
   * With a write-ahead log and a staging sink, requests are acknowledged once fsynced to the
   * log and committed in large transactions; otherwise once their group commit is done.
   */
  constructor(
    sink: SpanSink,
    private readonly spool: Spool | null,
    decodeSpooled: SpoolDecoder,
    private readonly metrics: CollectorMetrics,
    private readonly opts: IngestQueueOptions,
    private readonly wal: WriteAheadLog | null = null,
  ) {
    const host = this.writerHost();
    this.writer =
      wal !== null && isStagingSink(sink)
        ? new StagedCommitter(sink, wal, spool, host, { commitSpans: opts.commitSpans ?? 122_880, maxCommitDelayMs: opts.maxCommitDelayMs ?? 1_000 })
        : new GroupCommitWriter(sink, host);
    this.replayer = spool ? new SpoolReplayer(spool, decodeSpooled, this.replayHost()) : null;
  }

  get depthSpans(): number {
    return this.pending.spans;
  }

  get depthBytes(): number {
    return this.pending.bytes;
  }

  get storeHealthy(): boolean {
    return this.health.healthy;
  }

  private get staged(): boolean {
    return this.writer instanceof StagedCommitter;
  }

  private hasRoom(spans: number, bytes: number): boolean {
    // An empty queue always takes one request so a single huge batch cannot wedge ingest.
    if (this.pending.spans === 0) return true;
    return this.pending.spans + spans <= this.opts.maxQueueSpans && this.pending.bytes + bytes <= this.opts.maxQueueBytes;
  }

  /** Cheap admission check before a body is even read: is there any way to accept more? */
  canAdmit(bytesHint: number): boolean {
    if (this.closed) return false;
    if (this.storeHealthy && this.hasRoom(1, bytesHint)) return true;
    return this.spool !== null && this.spool.canAccept(bytesHint);
  }

  /**
   * Queues one request's spans; resolves when they are durable, rejects with `QueueFullError` or
   * `StoreUnavailableError` (each with `retryAfterSeconds`) when neither the queue nor the spool can take them.
   */
  submit(records: SpanRecord[] | TelemetryBatch, raw: RawRequest): Promise<IngestOutcome> {
    if (this.closed) return Promise.reject(this.unavailable('collector is shutting down'));
    const batch: TelemetryBatch = Array.isArray(records) ? { spans: records, logs: [], points: [] } : records;
    const size = batchSize(batch);
    const bytes = raw.payload.length;
    if (this.storeHealthy && this.hasRoom(size, bytes)) {
      return this.staged ? this.logThenEnqueue(batch, bytes, raw) : this.enqueue(batch, bytes, raw);
    }
    return this.spoolOrReject(size, raw, this.storeHealthy ? 'queue_full' : 'store_unavailable');
  }

  private enqueue(records: TelemetryBatch, bytes: number, raw: RawRequest | null): Promise<IngestOutcome> {
    return new Promise<IngestOutcome>((resolve, reject) => {
      this.pending.push({ ...pendingParts(records), bytes, raw, walSeq: null, resolve, reject });
      this.writer.wake();
    });
  }

  /** Write-ahead mode: durable once the frame is fsynced; the records wait in memory for the writer. */
  private async logThenEnqueue(records: TelemetryBatch, bytes: number, raw: RawRequest): Promise<IngestOutcome> {
    const size = batchSize(records);
    // Room is held while the frame is written, so concurrent requests cannot overshoot the bounds.
    this.pending.hold(size, bytes);
    let seq: number;
    try {
      seq = await this.wal!.append(raw.kind, raw.payload);
    } catch (err) {
      this.opts.onError(err, 'write-ahead log append failed');
      throw this.unavailable('the write-ahead log could not persist the request', err);
    } finally {
      this.pending.unhold(size, bytes);
    }
    this.pending.push({ ...pendingParts(records), bytes, raw, walSeq: seq, resolve: noop, reject: noop });
    this.writer.wake();
    return 'logged';
  }

  private async spoolOrReject(count: number, raw: RawRequest, reason: 'queue_full' | 'store_unavailable'): Promise<IngestOutcome> {
    if (this.spool && this.spool.canAccept(raw.payload.length)) {
      try {
        await this.spool.append(raw.kind, raw.payload);
      } catch (err) {
        // A full or failing disk is an availability problem for the client, not a server bug.
        this.opts.onError(err, 'spool append failed');
        throw this.unavailable('the spool could not persist the request', err);
      }
      this.metrics.spansSpooled += count;
      this.scheduleReplay(0);
      return 'spooled';
    }
    if (reason === 'queue_full') throw new QueueFullError(this.opts.retryAfterSeconds);
    throw this.unavailable('the store is not accepting writes and the spool is full or disabled');
  }

  private unavailable(message: string, cause?: unknown): StoreUnavailableError {
    return new StoreUnavailableError(message, this.health.retryAfterSeconds(this.opts.retryAfterSeconds), cause === undefined ? undefined : { cause });
  }

  private scheduleReplay(delayMs: number): void {
    this.replayer?.schedule(delayMs);
  }

  private notifyIdle(): void {
    this.replayer?.resumeIfDeferred();
    if (this.isIdle()) for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Resolves at the next `notifyIdle`, or after `pollMs` (a referenced timer only with `keepAlive`). */
  private waitForProgress(pollMs: number, keepAlive = false): Promise<void> {
    return new Promise<void>((resolve) => {
      this.idleWaiters.push(resolve);
      const t = setTimeout(resolve, pollMs);
      if (!keepAlive) t.unref();
    });
  }

  private isIdle(): boolean {
    return (
      this.pending.length === 0 &&
      !this.writer.active &&
      !(this.replayer?.replaying ?? false) &&
      this.writer.settled &&
      !(this.spool?.hasBacklog ?? false)
    );
  }

  /**
   * Read barrier for API readers: resolves once every request acknowledged before the call is
   * committed (write-ahead mode), so a client that got its 200 can read its spans back.
   * Returns false if that took longer than `timeoutMs` (the read then sees what is committed).
   */
  visible(timeoutMs = 5_000): Promise<boolean> {
    return this.writer.visible(timeoutMs);
  }

  /** Starts replaying spool files (e.g. left by a previous process) in the background. */
  startReplay(): void {
    this.replayer?.reportProblems();
    if (this.spool?.hasBacklog) this.scheduleReplay(0);
  }

  /** Resolves once the queue is empty and the spool fully replayed (tests, shutdown, `flush`). */
  async drain(timeoutMs = 30_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.isIdle()) {
      if (Date.now() > deadline) return false;
      if (this.spool?.hasBacklog && !this.replayer?.replaying && !this.writer.writing) this.scheduleReplay(0);
      this.writer.flush();
      await this.waitForProgress(50);
    }
    return true;
  }

  /** Stops accepting, waits for queued writes to settle; unreplayed spool data stays on disk for next start. */
  async close(): Promise<void> {
    this.closed = true;
    this.replayer?.stop();
    while (this.writer.active || this.replayer?.replaying || this.pending.length > 0) {
      // A referenced timer: while closing, this wait is what keeps the process alive. The writer
      // and replay may be waiting on the (unreferenced) commit timer; with the server already
      // closed nothing else would, and Node would exit mid-close (exit code 13, with a top-level await).
      await this.waitForProgress(20, true);
    }
    await this.writer.close();
  }

  /** The view of this queue its writer works with. */
  private writerHost(): WriterHost {
    const queue = this;
    return {
      pending: this.pending,
      health: this.health,
      metrics: this.metrics,
      maxBatchSpans: this.opts.maxBatchSpans,
      get closed() {
        return queue.closed;
      },
      onError: (err, context) => this.opts.onError(err, context),
      spoolOrReject: (count, raw, reason) => this.spoolOrReject(count, raw, reason),
      scheduleReplay: (delayMs) => this.scheduleReplay(delayMs),
      writerStopped: () => {
        if (this.spool?.hasBacklog) this.scheduleReplay(0);
        this.notifyIdle();
      },
      notifyIdle: () => this.notifyIdle(),
      waitForProgress: (pollMs, keepAlive) => this.waitForProgress(pollMs, keepAlive),
    };
  }

  /** The view of this queue spool replay works with. */
  private replayHost(): ReplayHost {
    const queue = this;
    return {
      get closed() {
        return queue.closed;
      },
      get queuedSpans() {
        return queue.pending.spans;
      },
      maxQueueSpans: this.opts.maxQueueSpans,
      maxBatchSpans: this.opts.maxBatchSpans,
      health: this.health,
      metrics: this.metrics,
      get writer() {
        return queue.writer;
      },
      enqueue: (records) => this.enqueue(records, 0, null),
      onError: (err, context) => this.opts.onError(err, context),
      notifyIdle: () => this.notifyIdle(),
    };
  }
}

/** A request's records as the pending queue keeps them (spans apart: most requests carry only spans). */
function pendingParts(records: TelemetryBatch): Pick<PendingRequest, 'spans' | 'signals' | 'size'> {
  const signals = records.logs.length + records.points.length > 0 ? { logs: records.logs, points: records.points } : null;
  return { spans: records.spans, signals, size: batchSize(records) };
}
