import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

/**
 * Hands a batch to `inner` a slice at a time, one slice per event-loop turn, so serialising a
 * large batch (the OTLP exporters encode the whole request synchronously inside `export`) never
 * holds the host's event loop for long: 128 spans encode in ~1–2 ms, 2048 took ~30 ms. The batch
 * succeeds when every slice did; after a failure the rest are not sent and the batch fails (the
 * caller spools it whole; the collector keeps each span once).
 */
export class SlicedExporter implements SpanExporter {
  constructor(
    private readonly inner: SpanExporter,
    private readonly sliceSpans = 128,
  ) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (spans.length <= this.sliceSpans) return this.inner.export(spans, resultCallback);
    // One slice per turn, sent without waiting for the previous answer (a distant collector's
    // round trips overlap); the batch's answer comes when every slice has one.
    const slices = Math.ceil(spans.length / this.sliceSpans);
    let answered = 0;
    let failed: ExportResult | null = null;
    const settle = (result: ExportResult): void => {
      if (result.code !== ExportResultCode.SUCCESS) failed ??= result;
      if (++answered === slices) resultCallback(failed ?? { code: ExportResultCode.SUCCESS });
    };
    let at = 0;
    const next = (): void => {
      const slice = spans.slice(at, at + this.sliceSpans);
      at += slice.length;
      if (failed) settle(failed); // the batch fails anyway: do not send the rest
      else this.inner.export(slice, settle);
      if (at < spans.length) setImmediate(next);
    };
    next();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}
