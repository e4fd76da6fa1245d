import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { BasicTracerProvider, BatchSpanProcessor, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { openStore, type DuckDbStore } from '../store/index.js';
import { startCollector, type RunningCollector } from '../collector/index.js';

let dir: string;
let store: DuckDbStore;
let collector: RunningCollector;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ap-collector-rt-'));
  store = await openStore(join(dir, 'rt.duckdb'));
  collector = await startCollector({ store, port: 0, spoolDir: join(dir, 'rt.duckdb.spool') });
});

afterAll(async () => {
  await collector?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

function hrNs(t: [number, number]): string {
  return (BigInt(t[0]) * 1_000_000_000n + BigInt(t[1])).toString();
}

async function emit(exporter: JsonExporter | ProtoExporter, tag: string): Promise<ReadableSpan[]> {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': `rt-${tag}`, 'service.version': '9.9.9', 'host.cpus': 2 }),
    spanProcessors: [new SimpleSpanProcessor(memory), new BatchSpanProcessor(exporter, { maxExportBatchSize: 64, scheduledDelayMillis: 20 })],
  });
  const tracer = provider.getTracer('rt-scope', '0.0.1');
  for (let t = 0; t < 20; t++) {
    tracer.startActiveSpan(`invoke_agent ${tag}`, { kind: SpanKind.SERVER, attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': `agent-${t % 3}`, 'gen_ai.usage.input_tokens': 100 + t, 'agentpulse.cost.usd': 0.001 * t, flag: t % 2 === 0, tags: ['a', 'b'] } }, (root) => {
      const tool = tracer.startSpan('execute_tool search', { kind: SpanKind.CLIENT, attributes: { 'gen_ai.tool.name': 'search' }, links: [{ context: root.spanContext(), attributes: { reason: 'caused-by' } }] });
      tool.addEvent('retry', { attempt: 1 }, [1_700_000_123, 987_654_321]);
      if (t % 4 === 0) tool.setStatus({ code: SpanStatusCode.ERROR, message: `boom ${t} ✓` });
      tool.end();
      root.setStatus({ code: SpanStatusCode.OK });
      root.end();
    });
  }
  await provider.forceFlush();
  // shutdown() resets the in-memory exporter, so keep the spans first.
  const spans = [...memory.getFinishedSpans()];
  await provider.shutdown();
  return spans;
}

async function checkStored(spans: ReadableSpan[]): Promise<void> {
  const rows = await store.query(
    `SELECT trace_id, span_id, parent_span_id, name, kind, start_ns::VARCHAR AS start_ns, (start_ns + duration_ns)::VARCHAR AS end_ns, status_code, status_message,
            service_name, scope_name, attributes, resource_attributes, events, links
       FROM spans WHERE list_contains(string_split($ids, ','), span_id)`,
    { ids: spans.map((s) => s.spanContext().spanId).join(',') },
  );
  expect(rows).toHaveLength(spans.length);
  const bySpan = new Map(rows.map((r) => [r.span_id as string, r]));
  for (const s of spans) {
    const r = bySpan.get(s.spanContext().spanId)!;
    expect(r).toMatchObject({
      trace_id: s.spanContext().traceId,
      parent_span_id: s.parentSpanContext?.spanId ?? null,
      name: s.name,
      kind: ['internal', 'server', 'client', 'producer', 'consumer'][s.kind],
      start_ns: hrNs(s.startTime),
      end_ns: hrNs(s.endTime),
      status_code: ['UNSET', 'OK', 'ERROR'][s.status.code],
      status_message: s.status.message || null,
      scope_name: 'rt-scope',
    });
    expect(JSON.parse(r.attributes as string)).toEqual(s.attributes);
    expect(JSON.parse(r.resource_attributes as string)).toEqual(s.resource.attributes);
    expect(JSON.parse(r.events as string)).toEqual(s.events.map((e) => ({ name: e.name, time_ns: hrNs(e.time), attributes: e.attributes ?? {} })));
    expect(JSON.parse(r.links as string)).toEqual(s.links.map((l) => ({ trace_id: l.context.traceId, span_id: l.context.spanId, attributes: l.attributes ?? {} })));
  }
}

describe('startCollector round-trip', () => {
  it('stores spans from the official OTLP/HTTP JSON exporter exactly', async () => {
    const spans = await emit(new JsonExporter({ url: `${collector.url}/v1/traces` }), 'json');
    expect(spans).toHaveLength(40);
    await checkStored(spans);
  });

  it('stores spans from the official OTLP/HTTP protobuf exporter exactly, gzip included', async () => {
    const plain = await emit(new ProtoExporter({ url: `${collector.url}/v1/traces` }), 'proto');
    await checkStored(plain);
    const zipped = await emit(new ProtoExporter({ url: `${collector.url}/v1/traces`, compression: 'gzip' as never }), 'proto-gzip');
    await checkStored(zipped);
  });

  it('answers only after commit, and a replayed batch is harmless', async () => {
    const spans = await emit(new JsonExporter({ url: `${collector.url}/v1/traces` }), 'dup');
    const body = gzipSync(Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!));
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${collector.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' }, body });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/x-protobuf');
    }
    const [{ n }] = (await store.query("SELECT count(*) AS n FROM spans WHERE list_contains(string_split($ids, ','), span_id)", { ids: spans.map((s) => s.spanContext().spanId).join(',') })) as [{ n: number }];
    expect(n).toBe(spans.length);
  });

  it('reports partial success for invalid spans in the request encoding', async () => {
    const good = { traceId: 'ab'.repeat(16), spanId: '01'.repeat(8), name: 'ok', startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000000000001' };
    const bad = { ...good, spanId: '02'.repeat(8), endTimeUnixNano: '1' };
    const res = await fetch(`${collector.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [good, bad] }] }] }) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { partialSuccess: { rejectedSpans: string; errorMessage: string } };
    expect(body.partialSuccess.rejectedSpans).toBe('1');
    expect(body.partialSuccess.errorMessage).toMatch(/end_time_unix_nano is before/);
  });

  it('serves /healthz, /metrics and read-only /api/sql', async () => {
    expect((await fetch(`${collector.url}/healthz`)).status).toBe(200);
    const metrics = await (await fetch(`${collector.url}/metrics`)).text();
    expect(metrics).toMatch(/^agentpulse_collector_spans_written_total \d+$/m);
    expect(metrics).toMatch(/agentpulse_collector_write_duration_seconds_bucket\{le="\+Inf"\} \d+/);
    const ok = await fetch(`${collector.url}/api/sql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql: 'SELECT service_name, count(*) AS n FROM spans GROUP BY 1 ORDER BY 1' }) });
    expect(ok.status).toBe(200);
    const table = (await ok.json()) as { columns: string[]; rows: unknown[][]; truncated: boolean };
    expect(table.columns).toEqual(['service_name', 'n']);
    expect(table.rows.length).toBeGreaterThan(0);
    const denied = await fetch(`${collector.url}/api/sql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql: 'DROP TABLE spans' }) });
    expect(denied.status).toBe(403);
  });
});
