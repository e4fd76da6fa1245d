import { trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { simulateFleet } from '../examples/fleet.js';
import type { FleetResult } from '../examples/fleet.js';
import { decodeSpanBatch, encodeSpanBatch } from '../instrumentation/spanCodec.js';
import { ChdbExecutor, loadChdb } from '../store/clickhouse/ChdbExecutor.js';
import type { SpanRecord } from '../store/types.js';

/**
 * Why chDB (the optional `chdb` package, the embedded ClickHouse engine) cannot be loaded here, or
 * null when it can. Suites use it as `describe.skipIf(chdbMissing !== null)`, so a machine without
 * chDB reports them as skipped, not passed. .ci/run installs chDB: in CI a missing engine fails.
 */
export const chdbMissing: string | null = await loadChdb().then(
  () => null,
  (err: unknown) => {
    if (process.env.CI === 'true') throw err;
    return err instanceof Error ? err.message : String(err);
  },
);

/** chDB's executor, or null (with the reason printed once) when the optional `chdb` package is not installed. */
export async function openChdbOrSkip(suite: string): Promise<ChdbExecutor | null> {
  try {
    return await ChdbExecutor.open();
  } catch (err) {
    // .ci/run installs chDB: in CI a missing engine is a failure, not a skip.
    if (process.env.CI === 'true') throw err;
    console.warn(`${suite}: SKIPPED — chDB (npm package \`chdb\`, the embedded ClickHouse engine) cannot be loaded: ${err instanceof Error ? err.message : String(err)}`);
    return null;
  }
}

/** The demo fleet's spans (examples/fleet.ts through the real OpenTelemetry SDK), as SpanRecords. */
export async function fleetSpans(o: { tasks: number; seed: number; nowMs: number; days?: number }): Promise<{ spans: SpanRecord[]; result: FleetResult }> {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'demo-fleet' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  trace.setGlobalTracerProvider(provider);
  try {
    const result = await simulateFleet({ tasks: o.tasks, seed: o.seed, nowMs: o.nowMs, days: o.days ?? 7 });
    const finished = exporter.getFinishedSpans();
    const spans: SpanRecord[] = [];
    for (let i = 0; i < finished.length; i += 5000) spans.push(...decodeSpanBatch(encodeSpanBatch(finished, i, Math.min(finished.length, i + 5000))));
    return { spans, result };
  } finally {
    trace.disable();
    await provider.shutdown();
  }
}

/** Writes spans in start order, in batches (both stores probe for replays inside a batch's time range). */
export async function writeSorted(store: { writeBatch(s: readonly SpanRecord[]): Promise<unknown> }, spans: readonly SpanRecord[], batch = 5000): Promise<void> {
  const sorted = [...spans].sort((a, b) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0));
  for (let i = 0; i < sorted.length; i += batch) await store.writeBatch(sorted.slice(i, i + batch));
}

const NUMERIC = /^-?\d+(?:\.\d+)?(?:e[+-]?\d+)?$/i;

/** A comparable form of a query value: JSON text parsed, numeric strings as numbers. */
export function canonical(v: unknown): unknown {
  if (typeof v === 'string') {
    const t = v.trim();
    if ((t.startsWith('{') && t.endsWith('}')) || (t.startsWith('[') && t.endsWith(']'))) {
      try {
        return canonical(JSON.parse(t));
      } catch {
        return v;
      }
    }
    return NUMERIC.test(t) ? Number(t) : v;
  }
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, canonical(x)]));
  return v;
}

/** Differences between two canonical values (numbers within relative `tol`), as readable paths. */
export function diff(a: unknown, b: unknown, path = '', tol = 1e-9, out: string[] = []): string[] {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) && Number.isNaN(b)) return out;
    if (!(Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b)))) out.push(`${path}: ${a} ≠ ${b}`);
  } else if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) out.push(`${path}: length ${a.length} ≠ ${b.length}`);
    else a.forEach((x, i) => diff(x, b[i], `${path}[${i}]`, tol, out));
  } else if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) diff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`, tol, out);
  } else if (a !== b && !(a == null && b == null)) {
    out.push(`${path}: ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`);
  }
  return out;
}
