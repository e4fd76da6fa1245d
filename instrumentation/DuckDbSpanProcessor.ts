import { TraceFlags } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { DuckDbSpanExporter } from './DuckDbSpanExporter.js';
import { SpanBatchEncoder } from './spanCodec.js';

export interface DuckDbSpanProcessorOptions {
  /** Spans per batch handed to the writer (default 2048, as OTEL_BSP_MAX_EXPORT_BATCH_SIZE). */
  maxBatchSpans?: number;
  /** Longest a span waits in an open batch before it is handed over (default 500 ms, as OTEL_BSP_SCHEDULE_DELAY). */
  scheduledDelayMs?: number;
  /** Told once when spans are dropped because the writer is too far behind. */
  onNotice?: (message: string, level: 'info' | 'warn' | 'error') => void;
}

/**
 * The embedded store's span processor: the batching processor and the exporter's encoding
 * in one step. Each sampled span is encoded into the open batch when it ends (while it is
 * still in the CPU cache) and is garbage at once, instead of living in a queue of span objects
 * until an export; full batches, or batches older than `scheduledDelayMs`, go to the writer
 * thread. Memory is bounded by the exporter's byte budget: past it, spans are dropped and
 * counted (as a batch processor drops past its queue size), never blocking the host.
 * @example
 * const exporter = new DuckDbSpanExporter({ dbPath: 'agentpulse.duckdb' });
 * const provider = new NodeTracerProvider({ spanProcessors: [new DuckDbSpanProcessor(exporter)] });
 */
export class DuckDbSpanProcessor implements SpanProcessor {
  /** Sampled spans that ended (stored, queued or dropped). */
  ended = 0;
  /** Spans dropped: the writer was over its byte budget, or a span could not be encoded. */
  dropped = 0;
  private readonly encoder = new SpanBatchEncoder();
  private readonly maxBatchSpans: number;
  private readonly delayMs: number;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private droppedNoticeSent = false;

  constructor(
    readonly exporter: DuckDbSpanExporter,
    private readonly options: DuckDbSpanProcessorOptions = {},
  ) {
    this.maxBatchSpans = Math.max(1, options.maxBatchSpans ?? 2048);
    this.delayMs = Math.max(0, options.scheduledDelayMs ?? 500);
    exporter.addFlushSource(() => this.seal());
  }

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    if (this.stopped || (span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    this.ended++;
    if (this.exporter.overBudget) return this.drop('the store writer is behind');
    try {
      this.encoder.add(span);
    } catch (err) {
      this.drop(`a span could not be encoded (${err instanceof Error ? err.message : String(err)})`);
      this.seal();
      return;
    }
    if (this.encoder.count >= this.maxBatchSpans) this.seal();
    else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.seal(), this.delayMs);
      this.timer.unref();
    }
  }

  private drop(why: string): void {
    this.dropped++;
    if (this.droppedNoticeSent) return;
    this.droppedNoticeSent = true;
    const message = `agentpulse: dropping spans: ${why}. Counted in DuckDbSpanProcessor.dropped; the host is not slowed down.`;
    try {
      if (this.options.onNotice) this.options.onNotice(message, 'warn');
      else process.stderr.write(message + '\n');
    } catch {
      /* a broken notice sink must not hurt the host */
    }
  }

  /** Hands the open batch to the writer now. */
  private seal(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const count = this.encoder.count;
    const bytes = this.encoder.seal();
    if (bytes) this.exporter.postEncoded(bytes, count);
  }

  /** Hands over the open batch and resolves once everything handed over is committed. */
  forceFlush(): Promise<void> {
    this.seal();
    return this.exporter.forceFlush();
  }

  shutdown(): Promise<void> {
    this.seal();
    this.stopped = true;
    return this.exporter.shutdown();
  }
}
