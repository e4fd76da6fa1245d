import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { ensureBuilt } from '../test/build.js';
import { DuckDbStore } from '../store/DuckDbStore.js';
import { DuckDbSpanExporter } from './DuckDbSpanExporter.js';
import { DuckDbSpanProcessor } from './DuckDbSpanProcessor.js';

async function storedNames(dbPath: string): Promise<string[]> {
  const store = await DuckDbStore.open(dbPath, { readOnly: true });
  const rows = (await store.query('SELECT name FROM spans ORDER BY name')) as { name: string }[];
  await store.close();
  return rows.map((r) => r.name);
}

describe('DuckDbSpanProcessor', () => {
  let dir: string;
  beforeAll(() => {
    ensureBuilt(); // the writer thread runs the compiled worker
    dir = mkdtempSync(join(tmpdir(), 'ap-processor-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function setup(name: string, opts: { maxBatchSpans?: number; scheduledDelayMs?: number; maxUnwrittenBytes?: number } = {}) {
    const dbPath = join(dir, `${name}.duckdb`);
    const notices: string[] = [];
    const exporter = new DuckDbSpanExporter({ dbPath, maxUnwrittenBytes: opts.maxUnwrittenBytes, onNotice: (m) => notices.push(m) });
    const processor = new DuckDbSpanProcessor(exporter, { ...opts, onNotice: (m) => notices.push(m) });
    const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': name }), spanProcessors: [processor] });
    return { dbPath, exporter, processor, provider, tracer: provider.getTracer('t'), notices };
  }

  it('stores every ended span, in batches of at most maxBatchSpans, and flushes the open batch', async () => {
    const { dbPath, exporter, processor, provider, tracer } = setup('batches', { maxBatchSpans: 100 });
    for (let i = 0; i < 250; i++) tracer.startSpan(`op ${String(i).padStart(3, '0')}`, { attributes: { i } }).end();
    // Two full batches went at once; the third (50 spans) is open until a flush or the timer.
    expect(exporter.exportedSpans).toBe(200);
    await provider.forceFlush();
    expect(exporter.exportedSpans).toBe(250);
    expect(processor.ended).toBe(250);
    expect(exporter.unconfirmedBatches).toBe(0);
    await provider.shutdown();
    expect(await storedNames(dbPath)).toEqual(Array.from({ length: 250 }, (_, i) => `op ${String(i).padStart(3, '0')}`));
  });

  it('hands over a partial batch after scheduledDelayMs without any flush', async () => {
    const { exporter, provider, tracer } = setup('timer', { scheduledDelayMs: 50 });
    tracer.startSpan('lonely').end();
    expect(exporter.exportedSpans).toBe(0);
    for (let i = 0; i < 100 && exporter.exportedSpans === 0; i++) await sleep(10);
    expect(exporter.exportedSpans).toBe(1);
    await provider.shutdown();
  });

  it('drops (and counts, and says so once) a span it cannot encode, keeping the rest of the batch', async () => {
    const { dbPath, processor, provider, tracer, notices } = setup('poison');
    tracer.startSpan('before').end();
    const real = tracer.startSpan('template') as unknown as ReadableSpan;
    (real as unknown as { end(): void }).end();
    const poisoned = Object.create(real) as ReadableSpan;
    Object.defineProperty(poisoned, 'attributes', { value: { ok: 1, boom: { toJSON: () => { throw new Error('no JSON for you'); } } } });
    processor.onEnd(poisoned);
    processor.onEnd(poisoned);
    tracer.startSpan('after').end();
    expect(processor.dropped).toBe(2);
    expect(notices.filter((n) => n.includes('could not be encoded'))).toHaveLength(1);
    await provider.shutdown();
    expect(await storedNames(dbPath)).toEqual(['after', 'before', 'template']);
  });

  it('does not reopen the store for spans that end after the exporter was shut down', async () => {
    const { dbPath, exporter, tracer, notices } = setup('late', { scheduledDelayMs: 20 });
    tracer.startSpan('in time').end();
    await exporter.shutdown();
    tracer.startSpan('too late').end();
    tracer.startSpan('later still').end();
    for (let i = 0; i < 50 && !notices.some((n) => n.includes('after the exporter was shut down')); i++) await sleep(10);
    expect(notices.filter((n) => n.includes('after the exporter was shut down'))).toHaveLength(1);
    expect(exporter.unconfirmedBatches).toBe(0);
    expect(await storedNames(dbPath)).toEqual(['in time']);
  });

  it('sheds load instead of growing without bound when the writer is behind its byte budget', async () => {
    // A budget smaller than one batch: after the first batch is handed over, everything else is shed
    // until the writer confirms it.
    const { exporter, processor, provider, tracer, notices } = setup('budget', { maxBatchSpans: 10, maxUnwrittenBytes: 1 });
    for (let i = 0; i < 50; i++) tracer.startSpan(`s${i}`).end();
    expect(exporter.exportedSpans).toBe(10);
    expect(processor.dropped).toBe(40);
    expect(notices.filter((n) => n.includes('behind'))).toHaveLength(1);
    await provider.forceFlush();
    // Once the writer caught up, spans are taken again.
    for (let i = 0; i < 5; i++) tracer.startSpan(`late${i}`).end();
    await provider.forceFlush();
    expect(exporter.exportedSpans).toBe(15);
    await provider.shutdown();
  });
});
