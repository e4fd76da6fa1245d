import type { SpanRecord } from '../../store/types.js';
import type { Spool } from './Spool.js';
import type { CollectorMetrics } from '../CollectorMetrics.js';
import { HttpError } from '../HttpError.js';

/** The one thing the collector needs from a store to ingest: a durable, idempotent batch write. */
export interface SpanSink {
  writeBatch(spans: SpanRecord[]): Promise<{ inserted: number; duplicates?: number }>;
}

/** Decodes a spooled request body back into spans (the spool stores bodies, not objects). */
export type SpoolDecoder = (kind: number, payload: Buffer) => SpanRecord[];

export interface IngestQueueOptions {
  maxQueueSpans: number;
  maxQueueBytes: number;
  maxBatchSpans: number;
  retryAfterSeconds: number;
  onError: (err: unknown, context: string) => void;
}

export type IngestOutcome = 'committed' | 'spooled';

interface Item {
  spans: SpanRecord[];
  bytes: number;
  /** Raw request body for the spool fallback; null for spans that came from the spool. */
  raw: { kind: number; payload: Buffer } | null;
  resolve: (o: IngestOutcome) => void;
  reject: (e: unknown) => void;
}

const MAX_BACKOFF_MS = 30_000;

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

  constructor(
    private readonly sink: SpanSink,
    private readonly spool: Spool | null,
    private readonly decodeSpooled: SpoolDecoder,
    private readonly metrics: CollectorMetrics,
    private readonly opts: IngestQueueOptions,
  ) {}

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
    if (this.storeHealthy && this.hasRoom(spans.length, bytes)) return this.enqueue(spans, bytes, raw);
    return this.spoolOrReject(spans.length, raw, this.storeHealthy ? 'queue_full' : 'store_unavailable');
  }

  private enqueue(spans: SpanRecord[], bytes: number, raw: Item['raw']): Promise<IngestOutcome> {
    return new Promise<IngestOutcome>((resolve, reject) => {
      this.items.push({ spans, bytes, raw, resolve, reject });
      this.queuedSpans += spans.length;
      this.queuedBytes += bytes;
      if (!this.writing) void this.runWriter();
    });
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
    this.writing = true;
    try {
      while (this.items.length > 0) {
        const batch: Item[] = [];
        let n = 0;
        while (this.items.length > 0 && (batch.length === 0 || n + this.items[0]!.spans.length <= this.opts.maxBatchSpans)) {
          const it = this.items.shift()!;
          batch.push(it);
          n += it.spans.length;
        }
        const spans = batch.length === 1 ? batch[0]!.spans : batch.flatMap((it) => it.spans);
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

  private scheduleReplay(delayMs: number): void {
    if (!this.spool || this.closed || this.replaying) return;
    if (this.replayTimer) {
      if (delayMs > 0) return;
      clearTimeout(this.replayTimer);
    }
    this.replayTimer = setTimeout(() => {
      this.replayTimer = null;
      this.replaying = this.replay().finally(() => {
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
      if (!file) return;
      if (file.tornBytes > 0) this.opts.onError(new Error(`ignored a torn tail of ${file.tornBytes} bytes`), `spool file ${file.seq}`);
      let pending: SpanRecord[] = [];
      const flush = async () => {
        const spans = pending;
        pending = [];
        if (spans.length === 0) return;
        await this.enqueue(spans, 0, null);
        this.metrics.spansReplayed += spans.length;
      };
      try {
        for (const frame of file.frames) {
          let spans: SpanRecord[];
          try {
            spans = this.decodeSpooled(frame.kind, frame.payload);
          } catch (err) {
            this.opts.onError(err, `spool file ${file.seq}: undecodable frame skipped`);
            continue;
          }
          for (const s of spans) pending.push(s);
          if (pending.length >= this.opts.maxBatchSpans) await flush();
        }
        await flush();
      } catch {
        // The store failed; the file stays and is replayed again after the backoff.
        this.scheduleReplayAfterReplay = true;
        return;
      }
      await spool.release(file.seq);
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
    return this.items.length === 0 && !this.writing && !this.replaying && !(this.spool?.hasBacklog ?? false);
  }

  /** Starts replaying spool files (e.g. left by a previous process) in the background. */
  startReplay(): void {
    if (this.spool?.hasBacklog) this.scheduleReplay(0);
  }

  /** Resolves once the queue is empty and the spool fully replayed (tests, shutdown, `flush`). */
  async drain(timeoutMs = 30_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.isIdle()) {
      if (Date.now() > deadline) return false;
      if (this.spool?.hasBacklog && !this.replaying && !this.writing) this.scheduleReplay(0);
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
    while (this.writing || this.replaying) {
      await new Promise<void>((resolve) => {
        this.idleWaiters.push(resolve);
        setTimeout(resolve, 20).unref();
      });
    }
  }
}
