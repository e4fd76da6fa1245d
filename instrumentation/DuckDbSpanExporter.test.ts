import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ensureBuilt } from '../test/build.js';
import { DuckDbStore } from '../store/DuckDbStore.js';
import { DuckDbSpanExporter } from './DuckDbSpanExporter.js';

/** Spans in the file matching `where`. */
async function storedSpans(dbPath: string, where = 'true'): Promise<number> {
  const store = await DuckDbStore.open(dbPath, { readOnly: true });
  try {
    const [{ n }] = (await store.query(`SELECT count(*) AS n FROM spans WHERE ${where}`)) as [{ n: number }];
    return Number(n);
  } finally {
    await store.close();
  }
}

describe('DuckDbSpanExporter', () => {
  let dir: string;
  beforeAll(() => {
    ensureBuilt(); // the writer thread runs the compiled worker
    dir = mkdtempSync(join(tmpdir(), 'ap-exporter-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps no copy of a batch once the writer has committed it (host memory stays bounded)', async () => {
    const dbPath = join(dir, 'bounded.duckdb');
    const exporter = new DuckDbSpanExporter({ dbPath, sliceSpans: 16, onNotice: () => undefined });
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'exporter-test' }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer('t');
    for (let i = 0; i < 300; i++) tracer.startSpan(`op ${i}`, { attributes: { 'gen_ai.operation.name': 'chat' } }).end();
    await provider.forceFlush();
    await exporter.forceFlush();
    expect(exporter.exportedSpans).toBe(300);
    // Every batch was acknowledged, so none may stay retained on the host thread.
    expect(exporter.unconfirmedBatches).toBe(0);
    await provider.shutdown();
    expect(await storedSpans(dbPath, "service_name = 'exporter-test'")).toBe(300);
  });

  it('commits and acknowledges what it was given without anyone flushing', async () => {
    const dbPath = join(dir, 'unflushed.duckdb');
    const exporter = new DuckDbSpanExporter({ dbPath, sliceSpans: 64, onNotice: () => undefined });
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const tracer = provider.getTracer('t');
    for (let i = 0; i < 200; i++) tracer.startSpan(`op ${i}`).end();
    // No flush: the acknowledgements come from the writer on its own.
    const deadline = Date.now() + 15_000;
    while ((exporter.unconfirmedBatches > 0 || exporter.exportedSpans < 200) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(exporter.exportedSpans).toBe(200);
    expect(exporter.unconfirmedBatches).toBe(0);
    await provider.shutdown();
    expect(await storedSpans(dbPath)).toBe(200);
  });
});
