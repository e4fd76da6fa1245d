import fc from 'fast-check';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { SlicedExporter } from './SlicedExporter.js';

/** An inner exporter that records what it was given and answers (asynchronously) per call. */
class Recorder implements SpanExporter {
  readonly calls: ReadableSpan[][] = [];
  constructor(private readonly answer: (call: number) => boolean) {}
  export(spans: ReadableSpan[], cb: (r: ExportResult) => void): void {
    const call = this.calls.push(spans) - 1;
    setImmediate(() => cb(this.answer(call) ? { code: ExportResultCode.SUCCESS } : { code: ExportResultCode.FAILED, error: new Error(`call ${call} failed`) }));
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const spans = (n: number): ReadableSpan[] => Array.from({ length: n }, (_, i) => ({ name: `s${i}` }) as unknown as ReadableSpan);
const run = (e: SpanExporter, batch: ReadableSpan[]): Promise<ExportResult> => new Promise((resolve) => e.export(batch, resolve));

describe('SlicedExporter', () => {
  it('hands every span over once, in order, in slices no larger than asked, and succeeds when every slice did', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 1, max: 300 }), async (n, size) => {
        const inner = new Recorder(() => true);
        const batch = spans(n);
        const r = await run(new SlicedExporter(inner, size), batch);
        expect(r.code).toBe(ExportResultCode.SUCCESS);
        expect(inner.calls.flat()).toEqual(batch);
        for (const c of inner.calls) expect(c.length).toBeLessThanOrEqual(Math.max(size, n <= size ? n : size));
      }),
      { numRuns: 60 },
    );
  });

  it('fails the batch when any slice fails, answers exactly once, and sends nothing after the failure is known', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 40 }), fc.nat(), async (slices, failAt) => {
        const bad = failAt % slices;
        const inner = new Recorder((call) => call !== bad);
        let answers = 0;
        const r = await new Promise<ExportResult>((resolve) => new SlicedExporter(inner, 10).export(spans(slices * 10), (x) => (answers++, resolve(x))));
        await new Promise((resolve) => setTimeout(resolve, 5));
        expect(r.code).toBe(ExportResultCode.FAILED);
        expect(answers).toBe(1);
        expect(inner.calls.length).toBeGreaterThan(bad);
      }),
      { numRuns: 40 },
    );
  });

  it('yields to the event loop between slices: only the first is sent before export() returns', async () => {
    const inner = new Recorder(() => true);
    const done = run(new SlicedExporter(inner, 10), spans(100));
    expect(inner.calls).toHaveLength(1);
    await done;
    expect(inner.calls).toHaveLength(10);
  });
});
