import { batchSize, type TelemetryBatch } from '../../store/signals.js';
import type { CollectorMetrics } from '../CollectorMetrics.js';
import type { IngestOutcome } from './PendingRequests.js';
import type { SpoolDecoder } from './sinks.js';
import type { Spool } from './Spool.js';
import type { StoreHealth } from './StoreHealth.js';

/** What replay needs from the queue it feeds. */
export interface ReplayHost {
  readonly closed: boolean;
  /** Spans the queue holds now: replay waits while it is more than half full. */
  readonly queuedSpans: number;
  readonly maxQueueSpans: number;
  readonly maxBatchSpans: number;
  readonly health: StoreHealth;
  readonly metrics: CollectorMetrics;
  /** Replay chunks in flight at once, and how to ask for them to be committed (the writer's). */
  readonly writer: { readonly replayWindow: number; commitSoon(): void };
  /** Queues records read back from the spool; resolves once they are committed. */
  enqueue(records: TelemetryBatch): Promise<IngestOutcome>;
  onError(err: unknown, context: string): void;
  notifyIdle(): void;
}

/**
 * Moves spooled requests back into the store through the queue, oldest file first, in the
 * background (an unref'd timer), yielding to live traffic. A file is deleted only after all of its
 * frames were committed; a damaged one is quarantined instead, and the loss reported.
 * @example
 * const replayer = new SpoolReplayer(spool, decodeSpooled, host);
 * replayer.schedule(0);
 */
export class SpoolReplayer {
  private running: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** Replay stopped early (store failed, or live traffic came first): run again once things settle. */
  private deferred = false;

  constructor(
    private readonly spool: Spool,
    private readonly decode: SpoolDecoder,
    private readonly host: ReplayHost,
  ) {}

  get replaying(): boolean {
    return this.running !== null;
  }

  /** Replays after `delayMs`, and not before the store's retry time; a pending earlier run is kept. */
  schedule(delayMs: number): void {
    if (this.host.closed || this.running) return;
    if (this.timer) {
      if (delayMs > 0) return;
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.replay()
        .catch((err: unknown) => this.host.onError(err, 'spool replay'))
        .finally(() => {
          this.running = null;
          this.host.notifyIdle();
        });
    }, Math.max(delayMs, this.host.health.retryAt - Date.now(), 0));
    // Replay must never keep the process alive on its own.
    this.timer.unref();
  }

  /** A replay that stopped early is scheduled again (called whenever the queue makes progress). */
  resumeIfDeferred(): void {
    if (this.deferred && !this.running) {
      this.deferred = false;
      this.schedule(this.host.health.healthy ? 50 : this.host.health.backoffMs);
    }
  }

  /** Cancels a scheduled replay (on close; a running one finishes its current file). */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }

  /** Logs and counts what the spool could not read (damaged frames, unreadable entries). */
  reportProblems(): void {
    for (const p of this.spool.takeProblems()) {
      this.host.metrics.recordSpoolProblem(p);
      const where = p.movedTo ? `moved to ${p.movedTo}` : 'left in place and skipped';
      const lost = p.framesSkipped > 0 ? `; ${p.framesSkipped} frame(s), ${p.bytesSkipped} bytes could not be read and were not replayed` : '';
      this.host.onError(new Error(`${p.reason}${lost}; ${where} (see docs/operations.md, "Spool quarantine")`), `spool entry ${p.path}`);
    }
  }

  /** Moves spooled requests into the store, oldest file first; a file is deleted only after its frames commit. */
  private async replay(): Promise<void> {
    const { spool, host } = this;
    while (!host.closed) {
      // Live traffic first: replay only into a mostly idle queue.
      if (host.queuedSpans > host.maxQueueSpans / 2) {
        this.deferred = true;
        return;
      }
      const file = await spool.takeOldest();
      this.reportProblems();
      if (!file) return;
      if (file.tornBytes > 0) host.onError(new Error(`ignored a torn tail of ${file.tornBytes} bytes (a frame cut short by a crash, never acknowledged)`), `spool file ${file.seq}`);
      let pending: TelemetryBatch = { spans: [], logs: [], points: [] };
      // In write-ahead mode a chunk settles only when its transaction commits, so a few chunks
      // are in flight at once and the commit is asked for when the window is full.
      const window: Promise<IngestOutcome>[] = [];
      const settleWindow = async () => {
        host.writer.commitSoon();
        await Promise.all(window.splice(0));
      };
      const flush = async () => {
        const records = pending;
        pending = { spans: [], logs: [], points: [] };
        if (batchSize(records) > 0) {
          window.push(host.enqueue(records));
          host.metrics.spansReplayed += records.spans.length;
        }
        if (window.length >= host.writer.replayWindow) await settleWindow();
      };
      try {
        for (const frame of file.frames) {
          let records: TelemetryBatch;
          try {
            records = await this.decode(frame.kind, frame.payload);
          } catch (err) {
            host.onError(err, `spool file ${file.seq}: undecodable frame skipped`);
            continue;
          }
          for (const s of records.spans) pending.spans.push(s);
          for (const l of records.logs) pending.logs.push(l);
          for (const p of records.points) pending.points.push(p);
          if (batchSize(pending) >= host.maxBatchSpans) await flush();
        }
        await flush();
        await settleWindow();
      } catch {
        await Promise.allSettled(window.splice(0));
        // The store failed; the file stays and is replayed again after the backoff.
        this.deferred = true;
        return;
      }
      if (file.damagedRegions > 0) await spool.quarantine(file);
      else await spool.release(file.seq);
      this.reportProblems();
    }
  }
}
