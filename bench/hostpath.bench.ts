/**
 * Host-thread cost of the span pipeline without pacing: spans are created in a tight loop
 * (30 000 per run, the instrumentation bench's own agent traces: `invoke_agent` → 3 chat + 2 tools) and the
 * calling thread's CPU time is read around the loop. Variants alternate, 8 rounds; min and
 * median are reported:
 *   bare      the SDK with no span processor (the floor)
 *   noop      + BatchSpanProcessor + a no-op exporter (the instrumentation bench's baseline)
 *   agentpulse + the processors startAgentpulse installs (adapter enrichment + DuckDbSpanProcessor,
 *              handing 2048-span batches to a live writer thread)
 * plus the encoder alone: µs and bytes per span for 2048-span batches of fresh spans.
 * The paced bench (instrumentation.bench.ts) is the target's measure; this one shows the
 * intrinsic cost without the cold caches of a host that sleeps between bursts.
 * Run: npm run build && node dist/bench/hostpath.bench.js
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { resolveConfig } from '../instrumentation/config.js';
import { DuckDbSpanExporter } from '../instrumentation/DuckDbSpanExporter.js';
import { agentpulseSpanProcessors } from '../instrumentation/sdk.js';
import { SpanBatchEncoder } from '../instrumentation/spanCodec.js';
import { SPANS_PER_TRACE, agentTrace, threadCpuNs } from './instrumentation.bench.js';

const TRACES = 5000;
const SPANS = TRACES * SPANS_PER_TRACE;

const noopExporter = { export: (_s: ReadableSpan[], cb: (r: { code: number }) => void) => cb({ code: 0 }), shutdown: () => Promise.resolve() };
const stats = (xs: number[]): { min: number; median: number } => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: Number(s[0].toFixed(3)), median: Number(s[s.length >> 1].toFixed(3)) };
};

export async function benchHostPath(rounds = 8): Promise<Record<string, unknown>> {
  if (threadCpuNs() === null) throw new Error('hostpath bench: needs Linux (thread CPU from /proc/thread-self/schedstat)');
  const dir = mkdtempSync(join(tmpdir(), 'ap-bench-host-'));
  const exporter = new DuckDbSpanExporter({ dbPath: join(dir, 'host.duckdb'), onNotice: () => undefined });
  const cfg = resolveConfig({});
  const variants: Record<string, () => SpanProcessor[]> = {
    bare: () => [],
    noop: () => [new BatchSpanProcessor(noopExporter, { maxQueueSize: cfg.maxQueueSize, maxExportBatchSize: cfg.maxExportBatchSize, scheduledDelayMillis: cfg.scheduledDelayMs })],
    agentpulse: () => agentpulseSpanProcessors(cfg, exporter).spanProcessors,
  };
  const out: Record<string, number[]> = {};
  const resource = resourceFromAttributes({ 'service.name': 'bench' });
  try {
    for (let r = -1; r < rounds; r++) {
      for (const [name, make] of Object.entries(variants)) {
        const provider = new BasicTracerProvider({ resource, spanProcessors: make() });
        const tracer = provider.getTracer('bench');
        const t0 = threadCpuNs()!;
        for (let i = 0; i < TRACES; i++) agentTrace(tracer);
        const us = (threadCpuNs()! - t0) / 1000 / SPANS;
        if (r >= 0) (out[name] ??= []).push(us); // round -1 warms the JIT
        await provider.forceFlush();
        await exporter.forceFlush();
        await sleep(50);
      }
    }
    // The encoder alone, over fresh spans captured once.
    const captured: ReadableSpan[] = [];
    const capture = new BasicTracerProvider({
      resource,
      spanProcessors: [{ onStart: () => undefined, onEnd: (s: ReadableSpan) => void captured.push(s), forceFlush: () => Promise.resolve(), shutdown: () => Promise.resolve() }],
    });
    for (let i = 0; i < 20_000; i++) agentTrace(capture.getTracer('bench'));
    const enc = new SpanBatchEncoder();
    const encodeUs: number[] = [];
    let bytes = 0;
    for (let r = 0; r < 5; r++) {
      bytes = 0;
      const t0 = threadCpuNs()!;
      for (const s of captured) {
        enc.add(s);
        if (enc.count === 2048) bytes += enc.seal()!.byteLength;
      }
      bytes += enc.seal()?.byteLength ?? 0;
      encodeUs.push((threadCpuNs()! - t0) / 1000 / captured.length);
    }
    await exporter.shutdown();
    const bare = stats(out.bare);
    const noop = stats(out.noop);
    const ap = stats(out.agentpulse);
    return {
      bench: 'instrumentation.host_path',
      spans_per_run: SPANS,
      rounds,
      bare_us_per_span: bare,
      noop_us_per_span: noop,
      agentpulse_us_per_span: ap,
      ratio_vs_noop_min: Number((ap.min / noop.min).toFixed(3)),
      ratio_vs_noop_median: Number((ap.median / noop.median).toFixed(3)),
      encode_us_per_span: stats(encodeUs),
      encoded_bytes_per_span: Number((bytes / captured.length).toFixed(1)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await benchHostPath(), null, 2));
}
