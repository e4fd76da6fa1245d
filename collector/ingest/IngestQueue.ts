import type { SpanRecord } from '../../store/types.js';
import type { Spool } from './Spool.js';
import type { WriteAheadLog } from './WriteAheadLog.js';
import type { CollectorMetrics } from '../CollectorMetrics.js';
import { HttpError } from '../../http/HttpError.js';

/** The one thing the collector needs from a store to ingest: a durable, idempotent batch write. */
export interface SpanSink {
  writeBatch(spans: SpanRecord[]): Promise<{ inserted: number; duplicates?: number }>;
}

/**
 * A sink that can keep one transaction open across writes (see `DuckDbStore.stage`): the queue
 * then acknowledges requests once they are in the write-ahead log and commits in large batches.
 */
export interface StagingSpanSink extends SpanSink {
  stage(spans: SpanRecord[]): Promise<{ inserted: number; duplicates?: number; epoch: number }>;
  commitStaged(): Promise<void>;
  onStagedSettled(listener: (epoch: number, err: unknown) => void): () => void;
  readonly stagedRows: number;
}

export function isStagingSink(sink: SpanSink): sink is StagingSpanSink {
  const s = sink as Partial<StagingSpanSink>;
  return typeof s.stage === 'function' && typeof s.commitStaged === 'function' && typeof s.onStagedSettled === 'function';
}

/** Decodes a spooled request body back into spans (the spool stores bodies, not objects). */
export type SpoolDecoder = (kind: number, payload: Buffer) => SpanRecord[] | Promise<SpanRecord[]>;

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

/** `logged`: fsynced to the write-ahead log, spans held in memory and committed shortly after. */
export type IngestOutcome = 'committed' | 'spooled' | 'logged';

interface Item {
  spans: SpanRecord[];
  bytes: number;
  /** Raw request body for the spool fallback; null for spans that came from the spool. */
  raw: { kind: number; payload: Buffer } | null;
  /** Write-ahead log file holding this request's frame (already acknowledged), or null. */
  walSeq: number | null;
  resolve: (o: IngestOutcome) => void;
  reject: (e: unknown) => void;
}

const MAX_BACKOFF_MS = 30_000;
const noop = (): void => undefined;
const NO_SPANS: SpanRecord[] = [];

/** What one staged transaction holds, settled when the store reports how it ended. */
interface EpochLedger {
  items: Item[];
  spans: number;
  startedMs: number;
}

/**
 * Bounded ingest queue with a single writer that group-commits several requests
 * into one store transaction and settles each request only once its spans are
 * durable — committed, or (store slow, failing or full queue) fsynced to the spool.
 */
export class IngestQueue {
  private items: Item[] = [];
  private queuedSpans = 0;
  private queuedBytes = 0;
  private writing = false;
  private closed = false;
  /** While the store fails, writes pause until this time and new requests go to the spool. */
  private storeRetryAt = 0;
  private backoffMs = 500;
  private replaying: Promise<void> | null = null;
  private replayTimer: NodeJS.Timeout | null = null;
  private idleWaiters: (() => void)[] = [];
  /** Staged transactions not yet settled, by epoch (write-ahead mode). */
  private readonly ledgers = new Map<number, EpochLedger>();
  private commitTimer: NodeJS.Timeout | null = null;
  private committing: Promise<void> | null = null;
  private failing: Promise<void> | null = null;
  private readonly staging: StagingSpanSink | null;
  private readonly disposeSettled: (() => void) | null = null;
  /** Items ever queued, and items the writer has taken (or dropped): the read barrier's clock. */
  private pushedItems = 0;
  private takenItems = 0;

  /**
   * With a write-ahead log and a staging sink, requests are acknowledged once fsynced to the
   * log and committed in large transactions; otherwise once their group commit is done.
   */
  constructor(
    private readonly sink: SpanSink,
    private readonly spool: Spool | null,
    private readonly decodeSpooled: SpoolDecoder,
    private readonly metrics: CollectorMetrics,
    private readonly opts: IngestQueueOptions,
    private readonly wal: WriteAheadLog | null = null,
  ) {
    this.staging = wal !== null && isStagingSink(sink) ? sink : null;
    if (this.staging) this.disposeSettled = this.staging.onStagedSettled((epoch, err) => this.settled(epoch, err));
  }

  private get commitSpans(): number {
    return this.opts.commitSpans ?? 122_880;
  }

  private get maxCommitDelayMs(): number {
    return this.opts.maxCommitDelayMs ?? 1_000;
  }

  get depthSpans(): number {
    return this.queuedSpans;
  }

  get depthBytes(): number {
    return this.queuedBytes;
  }

  get storeHealthy(): boolean {
    return this.storeRetryAt === 0;
  }

  private hasRoom(spans: number, bytes: number): boolean {
    // An empty queue always takes one request so a single huge batch cannot wedge ingest.
    if (this.queuedSpans === 0) return true;
    return this.queuedSpans + spans <= this.opts.maxQueueSpans && this.queuedBytes + bytes <= this.opts.maxQueueBytes;
  }

  /** Cheap admission check before a body is even read: is there any way to accept more? */
  canAdmit(bytesHint: number): boolean {
    if (this.closed) return false;
    if (this.storeHealthy && this.hasRoom(1, bytesHint)) return true;
    return this.spool !== null && this.spool.canAccept(bytesHint);
  }

  /**
   * Queues one request's spans; resolves when they are durable, rejects with a
   * 429/503 `HttpError` (with Retry-After) when neither the queue nor the spool can take them.
   */
  submit(spans: SpanRecord[], raw: { kind: number; payload: Buffer }): Promise<IngestOutcome> {
    if (this.closed) return Promise.reject(this.unavailable('collector is shutting down'));
    const bytes = raw.payload.length;
    if (this.storeHealthy && this.hasRoom(spans.length, bytes)) {
      return this.staging ? this.logThenEnqueue(spans, bytes, raw) : this.enqueue(spans, bytes, raw);
    }
    return this.spoolOrReject(spans.length, raw, this.storeHealthy ? 'queue_full' : 'store_unavailable');
  }

  private enqueue(spans: SpanRecord[], bytes: number, raw: Item['raw']): Promise<IngestOutcome> {
    return new Promise<IngestOutcome>((resolve, reject) => {
      this.push({ spans, bytes, raw, walSeq: null, resolve, reject });
    });
  }

  private push(item: Item): void {
    this.pushedItems++;
    this.items.push(item);
    this.queuedSpans += item.spans.length;
    this.queuedBytes += item.bytes;
    if (!this.writing) void this.runWriter();
  }

  /** Write-ahead mode: durable once the frame is fsynced; the spans wait in memory for the writer. */
  private async logThenEnqueue(spans: SpanRecord[], bytes: number, raw: { kind: number; payload: Buffer }): Promise<IngestOutcome> {
    // Room is held while the frame is written, so concurrent requests cannot overshoot the bounds.
    this.queuedSpans += spans.length;
    this.queuedBytes += bytes;
    let seq: number;
    try {
      seq = await this.wal!.append(raw.kind, raw.payload);
    } catch (err) {
      this.opts.onError(err, 'write-ahead log append failed');
      throw this.unavailable('the write-ahead log could not persist the request');
    } finally {
      this.queuedSpans -= spans.length;
      this.queuedBytes -= bytes;
    }
    this.push({ spans, bytes, raw, walSeq: seq, resolve: noop, reject: noop });
    return 'logged';
  }

  private async spoolOrReject(count: number, raw: { kind: number; payload: Buffer }, reason: 'queue_full' | 'store_unavailable'): Promise<IngestOutcome> {
    if (this.spool && this.spool.canAccept(raw.payload.length)) {
      try {
        await this.spool.append(raw.kind, raw.payload);
      } catch (err) {
        // A full or failing disk is an availability problem for the client, not a server bug.
        this.opts.onError(err, 'spool append failed');
        throw this.unavailable('the spool could not persist the request');
      }
      this.metrics.spansSpooled += count;
      this.scheduleReplay(0);
      return 'spooled';
    }
    if (reason === 'queue_full') {
      throw new HttpError(429, 'ingest queue is full; retry later', { headers: { 'retry-after': String(this.opts.retryAfterSeconds) }, code: 'QUEUE_FULL' });
    }
    throw this.unavailable('the store is not accepting writes and the spool is full or disabled');
  }

  private unavailable(message: string): HttpError {
    return new HttpError(503, message, { headers: { 'retry-after': String(Math.max(this.opts.retryAfterSeconds, Math.ceil(this.backoffMs / 1000))) }, code: 'STORE_UNAVAILABLE' });
  }

  private async runWriter(): Promise<void> {
    if (this.staging) return this.runStagingWriter();
    this.writing = true;
    try {
      while (this.items.length > 0) {
        const { batch, spans } = this.takeBatch();
        const t0 = performance.now();
        let failed: unknown = null;
        try {
          if (spans.length > 0) await this.sink.writeBatch(spans);
        } catch (err) {
          failed = err;
        }
        for (const it of batch) {
          this.queuedSpans -= it.spans.length;
          this.queuedBytes -= it.bytes;
        }
        if (failed === null) {
          this.metrics.observeWrite((performance.now() - t0) / 1000);
          this.metrics.spansWritten += spans.length;
          this.metrics.batchesWritten++;
          this.storeRetryAt = 0;
          this.backoffMs = 500;
          for (const it of batch) it.resolve('committed');
        } else {
          this.metrics.writeErrors++;
          this.opts.onError(failed, `store write of ${spans.length} spans failed`);
          this.storeRetryAt = Date.now() + this.backoffMs;
          this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
          // Requests still waiting are moved along with the failed batch: the store is unhealthy.
          const waiting = this.items.splice(0);
          for (const it of waiting) {
            this.queuedSpans -= it.spans.length;
            this.queuedBytes -= it.bytes;
          }
          for (const it of [...batch, ...waiting]) {
            if (it.raw === null) it.reject(failed);
            else this.spoolOrReject(it.spans.length, it.raw, 'store_unavailable').then(it.resolve, it.reject);
          }
          this.scheduleReplay(this.backoffMs);
        }
      }
    } finally {
      this.writing = false;
    }
    if (this.spool?.hasBacklog) this.scheduleReplay(0);
    this.notifyIdle();
  }

  /** Takes queued requests, oldest first, up to `maxBatchSpans` spans (always at least one request). */
  private takeBatch(): { batch: Item[]; spans: SpanRecord[] } {
    const batch: Item[] = [];
    let n = 0;
    while (this.items.length > 0 && (batch.length === 0 || n + this.items[0]!.spans.length <= this.opts.maxBatchSpans)) {
      const it = this.items.shift()!;
      batch.push(it);
      n += it.spans.length;
    }
    return { batch, spans: batch.length === 1 ? batch[0]!.spans : batch.flatMap((it) => it.spans) };
  }

  /**
   * Write-ahead mode: stages queued spans into the store's open transaction as they come and
   * commits it once it holds `commitSpans` spans, or `maxCommitDelayMs` after it opened.
   */
  private async runStagingWriter(): Promise<void> {
    const sink = this.staging!;
    this.writing = true;
    try {
      while (this.items.length > 0 && this.failing === null) {
        const { batch, spans } = this.takeBatch();
        for (const it of batch) {
          this.queuedSpans -= it.spans.length;
          this.queuedBytes -= it.bytes;
        }
        this.takenItems += batch.length;
        if (spans.length === 0) {
          // Nothing to stage: the store would answer with the last (already settled) epoch, and a
          // ledger under it would never settle, pinning its log files forever.
          this.commitItems(batch);
          continue;
        }
        try {
          const { epoch } = await sink.stage(spans);
          let ledger = this.ledgers.get(epoch);
          if (!ledger) {
            ledger = { items: [], spans: 0, startedMs: performance.now() };
            this.ledgers.set(epoch, ledger);
          }
          for (const it of batch) {
            // From here on only the log position and the callbacks are needed: a staged transaction
            // holds up to `commitSpans` spans, which need not stay in memory a second time.
            it.spans = NO_SPANS;
            it.raw = null;
            ledger.items.push(it);
          }
          ledger.spans += spans.length;
        } catch (err) {
          await this.failStaging(err, batch);
          break;
        }
        if (sink.stagedRows >= this.commitSpans || this.oldestStagedMs() + this.maxCommitDelayMs <= performance.now()) await this.commitStaged();
      }
    } finally {
      this.writing = false;
    }
    if (this.ledgers.size > 0) this.scheduleCommit(this.closed ? 0 : this.maxCommitDelayMs);
    if (this.spool?.hasBacklog) this.scheduleReplay(0);
    this.notifyIdle();
  }

  /** Commits the staged transaction; failures are handled by `settled` (through the sink's listener). */
  private commitStaged(): Promise<void> {
    if (this.commitTimer) {
      clearTimeout(this.commitTimer);
      this.commitTimer = null;
    }
    this.committing ??= this.staging!.commitStaged()
      .catch(() => undefined)
      .finally(() => {
        this.committing = null;
        this.notifyIdle();
      });
    return this.committing;
  }

  private oldestStagedMs(): number {
    let t = Infinity;
    for (const l of this.ledgers.values()) t = Math.min(t, l.startedMs);
    return t;
  }

  private scheduleCommit(delayMs: number): void {
    if (this.commitTimer || this.ledgers.size === 0) return;
    const wait = Math.max(0, Math.min(delayMs, this.oldestStagedMs() + this.maxCommitDelayMs - performance.now()));
    this.commitTimer = setTimeout(() => {
      this.commitTimer = null;
      // A running writer commits on its own schedule; it re-arms the timer when it goes idle.
      if (!this.writing) void this.commitStaged();
    }, wait);
    this.commitTimer.unref();
  }

  /** The store reports how a staged transaction ended (whoever committed it). */
  private settled(epoch: number, err: unknown): void {
    const ledger = this.ledgers.get(epoch);
    if (!ledger) return;
    this.ledgers.delete(epoch);
    if (err === null) {
      this.metrics.observeWrite((performance.now() - ledger.startedMs) / 1000);
      this.metrics.spansWritten += ledger.spans;
      this.metrics.batchesWritten++;
      this.storeRetryAt = 0;
      this.backoffMs = 500;
      this.commitItems(ledger.items);
    } else {
      void this.failStaging(err, ledger.items);
    }
  }

  /** Settles items whose spans are committed: requests resolve, log frames count as committed. */
  private commitItems(items: readonly Item[]): void {
    const perFile = new Map<number, number>();
    for (const it of items) {
      if (it.walSeq === null) it.resolve('committed');
      else perFile.set(it.walSeq, (perFile.get(it.walSeq) ?? 0) + 1);
    }
    for (const [seq, frames] of perFile) {
      this.wal!.markCommitted(seq, frames).catch((e: unknown) => this.opts.onError(e, 'write-ahead log cleanup'));
    }
  }

  /**
   * A staged transaction (or a stage call) failed: everything acknowledged from the write-ahead
   * log and not committed is moved, as whole log files, into the spool's backlog and replayed
   * after the backoff; spans held in memory for those frames are dropped.
   */
  private failStaging(err: unknown, lost: Item[]): Promise<void> {
    for (const it of lost) if (it.walSeq === null) it.reject(err);
    if (this.failing) return this.failing;
    this.metrics.writeErrors++;
    this.opts.onError(err, 'store write failed; acknowledged spans go to the spool for replay');
    this.storeRetryAt = Date.now() + this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    this.failing = (async () => {
      // Whatever is still staged is settled first, so its ledger cannot outlive the hand-over.
      await this.staging!.commitStaged().catch(() => undefined);
      const waiting = this.items.splice(0);
      this.takenItems += waiting.length;
      for (const it of waiting) {
        this.queuedSpans -= it.spans.length;
        this.queuedBytes -= it.bytes;
        if (it.walSeq === null) it.reject(err);
      }
      for (const [epoch, ledger] of [...this.ledgers]) {
        this.ledgers.delete(epoch);
        for (const it of ledger.items) if (it.walSeq === null) it.reject(err);
      }
      try {
        const files = await this.wal!.handOver();
        if (this.spool) await this.spool.adopt(files);
        else if (files.length > 0) this.opts.onError(new Error(`${files.length} write-ahead log file(s) kept on disk for the next start`), 'no spool');
      } catch (e) {
        this.opts.onError(e, 'moving the write-ahead log to the spool');
      }
    })().finally(() => {
      this.failing = null;
      // Requests logged while the hand-over ran were pushed to a writer that would not start
      // (it stops while failing); nothing else restarts it, and close() would wait for them forever.
      if (this.items.length > 0 && !this.writing) void this.runWriter();
      this.scheduleReplay(this.backoffMs);
      this.notifyIdle();
    });
    return this.failing;
  }

  private scheduleReplay(delayMs: number): void {
    if (!this.spool || this.closed || this.replaying) return;
    if (this.replayTimer) {
      if (delayMs > 0) return;
      clearTimeout(this.replayTimer);
    }
    this.replayTimer = setTimeout(() => {
      this.replayTimer = null;
      this.replaying = this.replay().catch((err: unknown) => this.opts.onError(err, 'spool replay')).finally(() => {
        this.replaying = null;
        this.notifyIdle();
      });
    }, Math.max(delayMs, this.storeRetryAt - Date.now(), 0));
    // Replay must never keep the process alive on its own.
    this.replayTimer.unref();
  }

  /** Moves spooled requests into the store, oldest file first; a file is deleted only after its frames commit. */
  private async replay(): Promise<void> {
    const spool = this.spool!;
    while (!this.closed) {
      // Live traffic first: replay only into a mostly idle queue.
      if (this.queuedSpans > this.opts.maxQueueSpans / 2) {
        this.scheduleReplayAfterReplay = true;
        return;
      }
      const file = await spool.takeOldest();
      this.reportSpoolProblems();
      if (!file) return;
      if (file.tornBytes > 0) this.opts.onError(new Error(`ignored a torn tail of ${file.tornBytes} bytes (a frame cut short by a crash, never acknowledged)`), `spool file ${file.seq}`);
      let pending: SpanRecord[] = [];
      // In write-ahead mode a chunk settles only when its transaction commits, so a few chunks
      // are in flight at once and the commit is asked for when the window is full.
      const window: Promise<IngestOutcome>[] = [];
      const windowSize = this.staging ? 4 : 1;
      const settleWindow = async () => {
        if (this.staging) void this.whenWriterIdle().then(() => this.commitStaged());
        await Promise.all(window.splice(0));
      };
      const flush = async () => {
        const spans = pending;
        pending = [];
        if (spans.length > 0) {
          window.push(this.enqueue(spans, 0, null));
          this.metrics.spansReplayed += spans.length;
        }
        if (window.length >= windowSize) await settleWindow();
      };
      try {
        for (const frame of file.frames) {
          let spans: SpanRecord[];
          try {
            spans = await this.decodeSpooled(frame.kind, frame.payload);
          } catch (err) {
            this.opts.onError(err, `spool file ${file.seq}: undecodable frame skipped`);
            continue;
          }
          for (const s of spans) pending.push(s);
          if (pending.length >= this.opts.maxBatchSpans) await flush();
        }
        await flush();
        await settleWindow();
      } catch {
        await Promise.allSettled(window.splice(0));
        // The store failed; the file stays and is replayed again after the backoff.
        this.scheduleReplayAfterReplay = true;
        return;
      }
      if (file.damagedRegions > 0) await spool.quarantine(file);
      else await spool.release(file.seq);
      this.reportSpoolProblems();
    }
  }

  /** Logs and counts what the spool could not read (damaged frames, unreadable entries). */
  private reportSpoolProblems(): void {
    for (const p of this.spool?.takeProblems() ?? []) {
      this.metrics.recordSpoolProblem(p);
      const where = p.movedTo ? `moved to ${p.movedTo}` : 'left in place and skipped';
      const lost = p.framesSkipped > 0 ? `; ${p.framesSkipped} frame(s), ${p.bytesSkipped} bytes could not be read and were not replayed` : '';
      this.opts.onError(new Error(`${p.reason}${lost}; ${where} (see docs/operations.md, "Spool quarantine")`), `spool entry ${p.path}`);
    }
  }

  private scheduleReplayAfterReplay = false;

  private notifyIdle(): void {
    if (this.scheduleReplayAfterReplay && !this.replaying) {
      this.scheduleReplayAfterReplay = false;
      this.scheduleReplay(this.storeHealthy ? 50 : this.backoffMs);
    }
    if (this.isIdle()) for (const w of this.idleWaiters.splice(0)) w();
  }

  private isIdle(): boolean {
    return (
      this.items.length === 0 &&
      !this.writing &&
      !this.replaying &&
      this.ledgers.size === 0 &&
      this.committing === null &&
      this.failing === null &&
      !(this.spool?.hasBacklog ?? false)
    );
  }

  /**
   * Read barrier for API readers: resolves once every request acknowledged before the call is
   * committed (write-ahead mode), so a client that got its 200 can read its spans back.
   * Returns false if that took longer than `timeoutMs` (the read then sees what is committed).
   */
  async visible(timeoutMs = 5_000): Promise<boolean> {
    if (!this.staging) return true;
    const target = this.pushedItems;
    const deadline = Date.now() + timeoutMs;
    while (this.takenItems < target) {
      if (Date.now() > deadline) return false;
      await new Promise<void>((resolve) => {
        this.idleWaiters.push(resolve);
        setTimeout(resolve, 5).unref();
      });
    }
    // Their stage calls are queued on the store ahead of this commit, so it includes them.
    if (this.ledgers.size > 0 || this.writing) await this.staging.commitStaged().catch(() => undefined);
    return true;
  }

  /** Resolves once the writer has staged everything queued so far. */
  private async whenWriterIdle(): Promise<void> {
    while (this.writing || this.items.length > 0) {
      await new Promise<void>((resolve) => {
        this.idleWaiters.push(resolve);
        setTimeout(resolve, 20).unref();
      });
    }
  }

  /** Starts replaying spool files (e.g. left by a previous process) in the background. */
  startReplay(): void {
    this.reportSpoolProblems();
    if (this.spool?.hasBacklog) this.scheduleReplay(0);
  }

  /** Resolves once the queue is empty and the spool fully replayed (tests, shutdown, `flush`). */
  async drain(timeoutMs = 30_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.isIdle()) {
      if (Date.now() > deadline) return false;
      if (this.spool?.hasBacklog && !this.replaying && !this.writing) this.scheduleReplay(0);
      if (this.ledgers.size > 0 && !this.writing) void this.commitStaged();
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        t.unref();
        this.idleWaiters.push(resolve);
      });
    }
    return true;
  }

  /** Stops accepting, waits for queued writes to settle; unreplayed spool data stays on disk for next start. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.replayTimer) clearTimeout(this.replayTimer);
    while (this.writing || this.replaying || this.failing || this.items.length > 0) {
      // A referenced timer: while closing, this wait is what keeps the process alive. The writer
      // and replay may be waiting on the (unreferenced) commit timer; with the server already
      // closed nothing else would, and Node would exit mid-close (exit code 13, with a top-level await).
      await new Promise<void>((resolve) => {
        this.idleWaiters.push(resolve);
        setTimeout(resolve, 20);
      });
    }
    if (this.staging) {
      if (this.ledgers.size > 0) await this.commitStaged();
      while (this.failing) await this.failing;
      this.disposeSettled?.();
    }
  }
}
