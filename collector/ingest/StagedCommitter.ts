import type { IngestWriter, WriterHost } from './IngestWriter.js';
import type { PendingRequest } from './PendingRequests.js';
import type { StagingSpanSink } from './sinks.js';
import type { Spool } from './Spool.js';
import type { WriteAheadLog } from './WriteAheadLog.js';

export interface StagedCommitterOptions {
  /** Commit the staged transaction once it holds this many spans. */
  commitSpans: number;
  /** And at the latest this long after it opened. */
  maxCommitDelayMs: number;
}

/** What one staged transaction holds, settled when the store reports how it ended. */
interface EpochLedger {
  items: PendingRequest[];
  spans: number;
  logs: number;
  points: number;
  startedMs: number;
}

const NO_SPANS: PendingRequest['spans'] = [];

/**
 * The writer in write-ahead mode: requests were acknowledged once their frame was fsynced to the
 * write-ahead log, and this stages their spans into the store's open transaction as they come,
 * committing it once it holds `commitSpans` spans or `maxCommitDelayMs` after it opened. When a
 * transaction fails, every acknowledged, uncommitted log file is handed to the spool for replay.
 * @example
 * const writer = new StagedCommitter(store, wal, spool, host, { commitSpans: 122_880, maxCommitDelayMs: 1_000 });
 */
export class StagedCommitter implements IngestWriter {
  private running = false;
  readonly replayWindow = 4;
  /** Staged transactions not yet settled, by epoch. */
  private readonly ledgers = new Map<number, EpochLedger>();
  private commitTimer: NodeJS.Timeout | null = null;
  private committing: Promise<void> | null = null;
  private failing: Promise<void> | null = null;
  private readonly disposeSettled: () => void;

  constructor(
    private readonly sink: StagingSpanSink,
    private readonly wal: WriteAheadLog,
    private readonly spool: Spool | null,
    private readonly host: WriterHost,
    private readonly opts: StagedCommitterOptions,
  ) {
    this.disposeSettled = sink.onStagedSettled((epoch, err) => this.onSettled(epoch, err));
  }

  get writing(): boolean {
    return this.running;
  }

  get active(): boolean {
    return this.running || this.failing !== null;
  }

  get settled(): boolean {
    return this.ledgers.size === 0 && this.committing === null && this.failing === null;
  }

  wake(): void {
    if (!this.running) void this.run();
  }

  commitSoon(): void {
    void this.whenWriterIdle().then(() => this.commitStaged());
  }

  flush(): void {
    if (this.ledgers.size > 0 && !this.running) void this.commitStaged();
  }

  async visible(timeoutMs: number): Promise<boolean> {
    const { pending } = this.host;
    const target = pending.pushed;
    const deadline = Date.now() + timeoutMs;
    while (pending.taken < target) {
      if (Date.now() > deadline) return false;
      await this.host.waitForProgress(5);
    }
    // Their stage calls are queued on the store ahead of this commit, so it includes them.
    if (this.ledgers.size > 0 || this.running) await this.sink.commitStaged().catch(() => undefined);
    return true;
  }

  async close(): Promise<void> {
    if (this.ledgers.size > 0) await this.commitStaged();
    while (this.failing) await this.failing;
    this.disposeSettled();
  }

  private async run(): Promise<void> {
    const { pending } = this.host;
    this.running = true;
    try {
      while (pending.length > 0 && this.failing === null) {
        const { batch, spans, signals } = pending.takeBatch(this.host.maxBatchSpans);
        pending.release(batch);
        if (spans.length === 0 && (signals === null || signals.logs.length + signals.points.length === 0)) {
          // Nothing to stage: the store would answer with the last (already settled) epoch, and a
          // ledger under it would never settle, pinning its log files forever.
          this.commitItems(batch);
          continue;
        }
        try {
          const { epoch } = signals === null ? await this.sink.stage(spans) : await this.sink.stage(spans, signals);
          let ledger = this.ledgers.get(epoch);
          if (!ledger) {
            ledger = { items: [], spans: 0, logs: 0, points: 0, startedMs: performance.now() };
            this.ledgers.set(epoch, ledger);
          }
          for (const it of batch) {
            // From here on only the log position and the callbacks are needed: a staged transaction
            // holds up to `commitSpans` spans, which need not stay in memory a second time.
            it.spans = NO_SPANS;
            it.signals = null;
            it.raw = null;
            ledger.items.push(it);
          }
          ledger.spans += spans.length;
          ledger.logs += signals?.logs.length ?? 0;
          ledger.points += signals?.points.length ?? 0;
        } catch (err) {
          await this.failStaging(err, batch);
          break;
        }
        if (this.sink.stagedRows >= this.opts.commitSpans || this.oldestStagedMs() + this.opts.maxCommitDelayMs <= performance.now()) await this.commitStaged();
      }
    } finally {
      this.running = false;
    }
    if (this.ledgers.size > 0) this.scheduleCommit(this.host.closed ? 0 : this.opts.maxCommitDelayMs);
    this.host.writerStopped();
  }

  /** Resolves once the writer has staged everything queued so far. */
  private async whenWriterIdle(): Promise<void> {
    while (this.running || this.host.pending.length > 0) await this.host.waitForProgress(20);
  }

  /** Commits the staged transaction; failures are handled by `onSettled` (through the sink's listener). */
  private commitStaged(): Promise<void> {
    if (this.commitTimer) {
      clearTimeout(this.commitTimer);
      this.commitTimer = null;
    }
    this.committing ??= this.sink
      .commitStaged()
      .catch(() => undefined)
      .finally(() => {
        this.committing = null;
        this.host.notifyIdle();
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
    const wait = Math.max(0, Math.min(delayMs, this.oldestStagedMs() + this.opts.maxCommitDelayMs - performance.now()));
    this.commitTimer = setTimeout(() => {
      this.commitTimer = null;
      // A running writer commits on its own schedule; it re-arms the timer when it goes idle.
      if (!this.running) void this.commitStaged();
    }, wait);
    this.commitTimer.unref();
  }

  /** The store reports how a staged transaction ended (whoever committed it). */
  private onSettled(epoch: number, err: unknown): void {
    const ledger = this.ledgers.get(epoch);
    if (!ledger) return;
    this.ledgers.delete(epoch);
    if (err === null) {
      const { metrics } = this.host;
      metrics.observeWrite((performance.now() - ledger.startedMs) / 1000);
      metrics.countWritten(ledger.spans, ledger.logs, ledger.points);
      metrics.batchesWritten++;
      this.host.health.succeeded();
      this.commitItems(ledger.items);
    } else {
      void this.failStaging(err, ledger.items);
    }
  }

  /** Settles items whose spans are committed: requests resolve, log frames count as committed. */
  private commitItems(items: readonly PendingRequest[]): void {
    const perFile = new Map<number, number>();
    for (const it of items) {
      if (it.walSeq === null) it.resolve('committed');
      else perFile.set(it.walSeq, (perFile.get(it.walSeq) ?? 0) + 1);
    }
    for (const [seq, frames] of perFile) {
      this.wal.markCommitted(seq, frames).catch((e: unknown) => this.host.onError(e, 'write-ahead log cleanup'));
    }
  }

  /**
   * A staged transaction (or a stage call) failed: everything acknowledged from the write-ahead
   * log and not committed is moved, as whole log files, into the spool's backlog and replayed
   * after the backoff; spans held in memory for those frames are dropped.
   */
  private failStaging(err: unknown, lost: PendingRequest[]): Promise<void> {
    for (const it of lost) if (it.walSeq === null) it.reject(err);
    if (this.failing) return this.failing;
    const { pending, health } = this.host;
    this.host.metrics.writeErrors++;
    this.host.onError(err, 'store write failed; acknowledged spans go to the spool for replay');
    health.failed();
    this.failing = (async () => {
      // Whatever is still staged is settled first, so its ledger cannot outlive the hand-over.
      await this.sink.commitStaged().catch(() => undefined);
      const waiting = pending.takeAll();
      pending.release(waiting);
      for (const it of waiting) if (it.walSeq === null) it.reject(err);
      for (const [epoch, ledger] of [...this.ledgers]) {
        this.ledgers.delete(epoch);
        for (const it of ledger.items) if (it.walSeq === null) it.reject(err);
      }
      try {
        const files = await this.wal.handOver();
        if (this.spool) await this.spool.adopt(files);
        else if (files.length > 0) this.host.onError(new Error(`${files.length} write-ahead log file(s) kept on disk for the next start`), 'no spool');
      } catch (e) {
        this.host.onError(e, 'moving the write-ahead log to the spool');
      }
    })().finally(() => {
      this.failing = null;
      // Requests logged while the hand-over ran were pushed to a writer that would not start
      // (it stops while failing); nothing else restarts it, and close() would wait for them forever.
      if (pending.length > 0 && !this.running) void this.run();
      this.host.scheduleReplay(health.backoffMs);
      this.host.notifyIdle();
    });
    return this.failing;
  }
}
