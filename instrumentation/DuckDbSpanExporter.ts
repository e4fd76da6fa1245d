import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { writeSpoolSegment, spoolDirFor } from '../store/spool.js';
import { decodeSpanBatch, encodeSpanBatch } from './spanCodec.js';
import { WRITER_CLOSED, WRITER_STATE } from './writerProtocol.js';
import type { MainToWorker, WorkerToMain, WriterWorkerData } from './writerProtocol.js';

/** After the exit deadline, how long a cancelled statement gets to unwind before the process ends. */
const EXIT_INTERRUPT_GRACE_MS = 2000;

export interface DuckDbSpanExporterOptions {
  dbPath: string;
  /**
   * Encoded bytes handed to the writer and not yet committed before export() stops
   * completing at once (default 8 MiB ≈ 90 000 typical spans, a few seconds of the writer's work). Encoded spans are about a
   * tenth of the size of live span objects, so the host's memory stays bounded and spans die
   * young even when the writer falls behind for a while; past the budget the batch processor
   * queues (and, when its queue is full, drops) as with any slow exporter.
   */
  maxUnwrittenBytes?: number;
  idleCloseMs?: number;
  lockRetryMs?: number;
  /**
   * Largest slice encoded in one go (default 512 spans). Bigger export batches are encoded
   * slice by slice across event-loop turns, so one export never blocks the host for long.
   */
  sliceSpans?: number;
  /**
   * Linux niceness of the writer thread (default 0: the host's priority). Higher values let
   * the host's own threads get a busy core first, at the cost of slower flushes at exit on a
   * loaded machine.
   */
  writerNice?: number;
  /**
   * DuckDB's memory limit in the writer thread (default '256MiB'; AGENTPULSE_WRITER_MEMORY_LIMIT).
   * The host's whole process stays about this much above an untraced one; DuckDB spills beyond it.
   */
  memoryLimit?: string;
  /** Where notices (locked file, failing disk) go; default stderr. Called at most once per kind of problem. */
  onNotice?: (message: string, level: 'info' | 'warn' | 'error') => void;
}

/** The writer worker is compiled JS; from TypeScript sources (tests) fall back to the built copy. */
function workerUrl(): URL {
  const here = dirname(fileURLToPath(import.meta.url));
  const sibling = join(here, 'storeWriterWorker.js');
  if (existsSync(sibling)) return new URL(`file://${sibling}`);
  const built = join(here, '..', 'dist', 'instrumentation', 'storeWriterWorker.js');
  if (existsSync(built)) return new URL(`file://${built}`);
  throw new Error('agentpulse: storeWriterWorker.js not found; run `npm run build`');
}

/** An export() whose spans are still being encoded, slice by slice. */
interface PendingExport {
  spans: ReadableSpan[];
  next: number;
  resultCallback: (result: ExportResult) => void;
}

/**
 * Span exporter that writes to the embedded DuckDB store. The host thread only encodes
 * each batch into one small byte array (spanCodec.ts) and posts it; a worker thread owns the DuckDB
 * connection. Never throws into the host; when the file is locked by another process
 * the worker spools to `<db>.spool/` and ingests later.
 */
export class DuckDbSpanExporter implements SpanExporter {
  private worker: Worker | null = null;
  private readonly shared = new SharedArrayBuffer(12);
  private readonly counters = new Int32Array(this.shared);
  private seq = 0;
  /** Payloads posted and not yet committed, by seq: what an exit that cannot wait spools itself. */
  private readonly unwritten = new Map<number, Uint8Array>();
  private unwrittenBytes = 0;
  private readonly pending: PendingExport[] = [];
  private drainScheduled = false;
  private workerRefd = false;
  private readonly sliceSpans: number;
  private readonly waiting: ((r: ExportResult) => void)[] = [];
  private readonly flushSources: (() => void)[] = [];
  private readonly ackWaiters: { seq: number; resolve: () => void }[] = [];
  private shutdownPromise: Promise<void> | null = null;
  /** Set once shutdown() has flushed and let the writer go: later batches are dropped, not re-opening the store. */
  private writerReleased = false;
  private lateNoticeSent = false;
  private readonly maxUnwrittenBytes: number;
  /** Spans handed to the writer so far (for tests and metrics). */
  exportedSpans = 0;

  /** Batches posted to the writer and not yet confirmed committed: the host's only retained copies. */
  get unconfirmedBatches(): number {
    return this.unwritten.size;
  }

  constructor(private readonly options: DuckDbSpanExporterOptions) {
    this.maxUnwrittenBytes = options.maxUnwrittenBytes ?? 8 * 1024 * 1024;
    this.sliceSpans = Math.max(1, options.sliceSpans ?? 512);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const data: WriterWorkerData = {
      dbPath: this.options.dbPath,
      shared: this.shared,
      idleCloseMs: this.options.idleCloseMs ?? 3000,
      lockRetryMs: this.options.lockRetryMs ?? 2000,
      writerNice: this.options.writerNice ?? 0,
      memoryLimit: this.options.memoryLimit ?? '256MiB',
    };
    const w = new Worker(workerUrl(), { workerData: data, stdout: false, stderr: false });
    w.on('message', (m: WorkerToMain) => this.onWorkerMessage(m));
    w.on('error', (err: unknown) => this.notice(`agentpulse: store writer failed: ${err instanceof Error ? err.message : String(err)}`, 'error'));
    w.on('exit', () => {
      // A writer that died (or was terminated) with batches it never committed: keep them on disk.
      if (this.unwritten.size > 0) this.spoolUnwritten(Atomics.load(this.counters, 1), 'the store writer stopped before committing');
      this.worker = null;
      this.workerRefd = false;
      // Anything still waiting would wait forever: release it.
      for (const cb of this.waiting.splice(0)) cb({ code: ExportResultCode.FAILED, error: new Error('store writer exited') });
      for (const a of this.ackWaiters.splice(0)) a.resolve();
    });
    // Unref after the listeners: attaching a 'message' listener refs the port again.
    w.unref();
    this.worker = w;
    return w;
  }

  private notice(message: string, level: 'info' | 'warn' | 'error'): void {
    try {
      if (this.options.onNotice) this.options.onNotice(message, level);
      else process.stderr.write(message + '\n');
    } catch {
      /* a broken notice sink must not hurt the host */
    }
  }

  private onWorkerMessage(m: WorkerToMain): void {
    if (m.type === 'ack') {
      // Committed (or spooled by the writer): the host's copies are no longer needed. Acks are
      // cumulative (one transaction may hold several batches) and keys are in seq order.
      for (const [seq, payload] of this.unwritten) {
        if (seq > m.seq) break;
        this.unwritten.delete(seq);
        this.unwrittenBytes -= payload.byteLength;
      }
      while (this.waiting.length > 0 && this.unwrittenBytes <= this.maxUnwrittenBytes) this.waiting.shift()!({ code: ExportResultCode.SUCCESS });
      // Idle writer: let the host exit whenever it wants again.
      if (m.seq >= this.seq && this.workerRefd) {
        this.workerRefd = false;
        this.worker?.unref();
      }
      for (let i = this.ackWaiters.length - 1; i >= 0; i--) {
        if (this.ackWaiters[i].seq <= m.seq) this.ackWaiters.splice(i, 1)[0].resolve();
      }
    } else if (m.type === 'notice') {
      this.notice(m.message, m.level);
    }
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (this.shutdownPromise) {
      resultCallback({ code: ExportResultCode.FAILED, error: new Error('exporter is shut down') });
      return;
    }
    if (spans.length === 0) {
      resultCallback({ code: ExportResultCode.SUCCESS });
      return;
    }
    this.pending.push({ spans, next: 0, resultCallback });
    if (this.pending.length === 1 && spans.length <= this.sliceSpans) this.encodeSlice();
    else this.scheduleDrain();
  }

  private scheduleDrain(): void {
    if (this.drainScheduled || this.pending.length === 0) return;
    this.drainScheduled = true;
    setImmediate(() => {
      this.drainScheduled = false;
      this.encodeSlice();
      this.scheduleDrain();
    });
  }

  /**
   * Hands one encoded batch (spanCodec.ts) to the writer. Used by export() and by
   * {@link DuckDbSpanProcessor}, which encodes spans as they end; `spans` is added to
   * {@link exportedSpans}.
   */
  postEncoded(payload: Uint8Array, spans: number): void {
    if (this.writerReleased) {
      // After shutdown there is no writer to hand to (and starting one again would outlive the host's intent).
      if (!this.lateNoticeSent) this.notice('agentpulse: spans ended after the exporter was shut down were not stored', 'warn');
      this.lateNoticeSent = true;
      return;
    }
    const worker = this.ensureWorker();
    const seq = ++this.seq;
    Atomics.store(this.counters, 0, seq);
    worker.postMessage({ type: 'batch', seq, payload } satisfies MainToWorker);
    this.unwritten.set(seq, payload);
    this.unwrittenBytes += payload.byteLength;
    this.exportedSpans += spans;
    // While a batch is unwritten the worker keeps the process alive, so an awaited
    // flush completes and a host whose loop drains still gets its spans stored.
    if (!this.workerRefd) {
      this.workerRefd = true;
      worker.ref();
    }
  }

  /** True while more encoded bytes wait for the writer than the budget allows (producers should shed load). */
  get overBudget(): boolean {
    return this.unwrittenBytes > this.maxUnwrittenBytes;
  }

  /** Registers a producer's "post what you hold" hook, run by every flush path (forceFlush, flushSync, shutdown). */
  addFlushSource(seal: () => void): void {
    this.flushSources.push(seal);
  }

  /** Encodes and posts the next slice of the oldest pending export; completes it after its last slice. */
  private encodeSlice(): void {
    const job = this.pending[0];
    if (!job) return;
    try {
      const end = Math.min(job.spans.length, job.next + this.sliceSpans);
      if (end > job.next) {
        this.postEncoded(encodeSpanBatch(job.spans, job.next, end), 0);
        job.next = end;
      }
      if (job.next < job.spans.length) return;
      this.pending.shift();
      this.exportedSpans += job.spans.length;
      if (this.unwrittenBytes <= this.maxUnwrittenBytes) job.resultCallback({ code: ExportResultCode.SUCCESS });
      else this.waiting.push(job.resultCallback);
    } catch (err) {
      this.pending.shift();
      job.resultCallback({ code: ExportResultCode.FAILED, error: err instanceof Error ? err : new Error(String(err)) });
    }
  }

  /** Encodes and posts every pending slice now (flush paths must not leave spans behind). */
  private drainNow(): void {
    for (const seal of this.flushSources) {
      try {
        seal();
      } catch {
        /* a producer that cannot seal loses only its own open batch */
      }
    }
    while (this.pending.length > 0) this.encodeSlice();
  }

  /** Resolves when every batch posted so far is committed (or spooled). */
  forceFlush(): Promise<void> {
    this.drainNow();
    const target = this.seq;
    if (!this.worker || Atomics.load(this.counters, 1) >= target) return Promise.resolve();
    return new Promise((resolve) => this.ackWaiters.push({ seq: target, resolve }));
  }

  /**
   * Blocks the calling thread until posted batches are committed, up to `timeoutMs`.
   * For `process.on('exit')` and signal handlers, where nothing async runs any more.
   * Returns false on timeout.
   */
  flushSync(timeoutMs: number): boolean {
    this.drainNow();
    const target = this.seq;
    if (!this.worker) return true;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const done = Atomics.load(this.counters, 1);
      if (done >= target) return true;
      const left = deadline - Date.now();
      if (left <= 0) {
        this.spoolUnwritten(done, 'the store writer did not finish in time at exit');
        return false;
      }
      Atomics.wait(this.counters, 1, done, left);
    }
  }

  /**
   * The writer did not commit in time (a slow disk, a busy machine): write what it has not
   * confirmed to the spool from this thread, synchronously, so the spans survive the exit.
   * If the writer commits them after all, the next ingest skips them as duplicates.
   */
  private spoolUnwritten(done: number, why: string): void {
    try {
      const spans = [];
      for (const [seq, payload] of this.unwritten) {
        if (seq > done) spans.push(...decodeSpanBatch(payload));
        this.unwritten.delete(seq);
        this.unwrittenBytes -= payload.byteLength;
      }
      if (spans.length > 0) {
        writeSpoolSegment(spoolDirFor(this.options.dbPath), spans);
        this.notice(`agentpulse: ${why}; ${spans.length} spans were spooled to ${spoolDirFor(this.options.dbPath)}/ and will be ingested later`, 'warn');
      }
    } catch (err) {
      this.notice(`agentpulse: could not spool spans: ${err instanceof Error ? err.message : String(err)}`, 'error');
    }
  }

  /**
   * At process exit: asks the writer to finish and close the store, and blocks until it has
   * (or `timeoutMs` passes). Exiting while the writer is inside a native DuckDB call (an open
   * retry, a commit) can abort the process; closing first means the host exits normally.
   */
  closeSync(timeoutMs: number): boolean {
    const w = this.worker;
    if (!w) return true;
    w.postMessage({ type: 'shutdown' } satisfies MainToWorker);
    if (this.waitClosed(timeoutMs)) return true;
    // Past the deadline the writer is still inside a statement (a slow commit on a busy machine).
    // Ending the process now would abort it from inside the native binding, so cancel the
    // statement (what it held was spooled by flushSync) and give the close a short grace.
    w.postMessage({ type: 'interrupt' } satisfies MainToWorker);
    return this.waitClosed(EXIT_INTERRUPT_GRACE_MS);
  }

  /** Blocks until the writer reports the store closed, up to `ms`. */
  private waitClosed(ms: number): boolean {
    const deadline = Date.now() + ms;
    while (Atomics.load(this.counters, WRITER_STATE) !== WRITER_CLOSED) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      Atomics.wait(this.counters, WRITER_STATE, Atomics.load(this.counters, WRITER_STATE), left);
    }
    return true;
  }

  shutdown(): Promise<void> {
    if (this.shutdownPromise) return this.shutdownPromise;
    this.shutdownPromise = (async () => {
      await this.forceFlush();
      this.writerReleased = true;
      const w = this.worker;
      if (!w) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => void w.terminate().then(() => resolve()), 5000);
        timer.unref();
        w.on('message', (m: WorkerToMain) => {
          if (m.type === 'closed') {
            clearTimeout(timer);
            void w.terminate().then(() => resolve());
          }
        });
        w.ref();
        w.postMessage({ type: 'shutdown' } satisfies MainToWorker);
      });
    })();
    return this.shutdownPromise;
  }
}
