import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Agent } from 'node:http';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { ensureBuilt, freshBatch, post, protoTemplate, spawnCollector, stopChild, type ChildCollector, rssMb } from './collectorHelpers.js';

const FUZZ_COUNT = 10_000;
const MAX_BODY = 64 * 1024;
const MAX_DECOMPRESSED = 1024 * 1024;
/** Stated bound for the collector child's resident memory through the whole run. */
const RSS_BOUND_MB = 400;

let dir: string;
let c: ChildCollector;

beforeAll(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'ap-collector-fuzz-'));
  c = await spawnCollector(join(dir, 'fuzz.duckdb'), { maxBodyBytes: MAX_BODY, maxDecompressedBytes: MAX_DECOMPRESSED });
}, 200_000);

afterAll(async () => {
  if (c) await stopChild(c.child, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

interface Payload {
  kind: string;
  body: Buffer<ArrayBufferLike>;
  headers: Record<string, string>;
}

const PROTO = { 'content-type': 'application/x-protobuf' };
const JSONCT = { 'content-type': 'application/json' };

function jsonTemplate(): Buffer {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
  const t = provider.getTracer('fuzz');
  for (let i = 0; i < 8; i++) t.startSpan(`s${i}`, { attributes: { i } }).end();
  return Buffer.from(JsonTraceSerializer.serializeRequest(memory.getFinishedSpans())!);
}

/** Every generated payload is malformed by construction, so every one must be answered 4xx. */
function malformed(proto: Buffer, json: Buffer): fc.Arbitrary<Payload> {
  const bytes = (max: number) => fc.uint8Array({ minLength: 1, maxLength: max }).map((a) => Buffer.from(a));
  const bomb = gzipSync(Buffer.alloc(MAX_DECOMPRESSED * 8));
  const zipped = gzipSync(proto);
  return fc.oneof(
    // truncated protobuf: the template holds one ResourceSpans field, so any cut lands inside it
    fc.integer({ min: 1, max: proto.length - 1 }).map((cut) => ({ kind: 'truncated-proto', body: proto.subarray(0, cut), headers: PROTO })),
    // huge or overlong varints in tag and length positions
    fc.integer({ min: 11, max: 40 }).map((n) => ({ kind: 'huge-varint-tag', body: Buffer.concat([Buffer.alloc(n, 0xff), Buffer.from([0x01])]), headers: PROTO })),
    fc.constantFrom(0x10, 0x20, 0x40).map((hi) => ({ kind: 'huge-length', body: Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, hi, 0x01]), headers: PROTO })),
    // invalid wire types (3, 4 groups; 6, 7 undefined) before arbitrary bytes
    fc.tuple(fc.constantFrom(0x0b, 0x0c, 0x0e, 0x0f), bytes(64)).map(([tag, rest]) => ({ kind: 'bad-wire-type', body: Buffer.concat([Buffer.from([tag]), rest]), headers: PROTO })),
    // bad gzip: random bytes, a gzip header followed by garbage, a truncated stream
    bytes(256).map((b) => ({ kind: 'bad-gzip', body: b, headers: { ...PROTO, 'content-encoding': 'gzip' } })),
    bytes(128).map((b) => ({ kind: 'gzip-garbage', body: Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3]), b]), headers: { ...PROTO, 'content-encoding': 'gzip' } })),
    fc.integer({ min: 1, max: 20 }).map((k) => ({ kind: 'gzip-truncated', body: zipped.subarray(0, Math.max(1, zipped.length - k)), headers: { ...PROTO, 'content-encoding': 'gzip' } })),
    // oversized body and decompression bomb
    fc.constant(null).map(() => ({ kind: 'oversized', body: Buffer.alloc(MAX_BODY + 1024, 0x0a), headers: PROTO })),
    fc.constant(null).map(() => ({ kind: 'gzip-bomb', body: bomb, headers: { ...PROTO, 'content-encoding': 'gzip' } })),
    // invalid UTF-8 in JSON and in a protobuf string field
    bytes(32).map((b) => ({ kind: 'json-invalid-utf8', body: Buffer.concat([Buffer.from('{"resourceSpans":"'), Buffer.from([0xff, 0xfe]), b, Buffer.from('"}')]), headers: JSONCT })),
    fc.constant(null).map(() => {
      const name = Buffer.from([0xc3, 0x28, 0xff]);
      const span = Buffer.concat([Buffer.from([0x0a, 16]), Buffer.alloc(16, 1), Buffer.from([0x12, 8]), Buffer.alloc(8, 2), Buffer.from([0x2a, name.length]), name]);
      const scope = Buffer.concat([Buffer.from([0x12, span.length]), span]);
      const rs = Buffer.concat([Buffer.from([0x12, scope.length]), scope]);
      return { kind: 'proto-invalid-utf8', body: Buffer.concat([Buffer.from([0x0a, rs.length]), rs]), headers: PROTO };
    }),
    // wrong JSON types and truncated JSON
    fc.constantFrom(
      '[]', '"x"', '{"resourceSpans":3}', '{"resourceSpans":[1]}', '{"resourceSpans":[{"scopeSpans":{}}]}',
      '{"resourceSpans":[{"scopeSpans":[{"spans":"no"}]}]}',
      '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":7,"spanId":"0101010101010101","startTimeUnixNano":"1","endTimeUnixNano":"2"}]}]}]}',
      '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"zz","spanId":"01","startTimeUnixNano":true}]}]}]}',
    ).map((s) => ({ kind: 'json-wrong-types', body: Buffer.from(s), headers: JSONCT })),
    fc.integer({ min: 1, max: json.length - 1 }).map((cut) => ({ kind: 'json-truncated', body: json.subarray(0, cut), headers: JSONCT })),
    // wrong or missing content types and encodings
    fc.tuple(fc.constantFrom('text/plain', 'application/xml', 'application/octet-stream', 'multipart/form-data', ''), bytes(64)).map(([ct, b]) => ({ kind: 'wrong-content-type', body: b, headers: (ct ? { 'content-type': ct } : {}) as Record<string, string> })),
    bytes(64).map((b) => ({ kind: 'wrong-content-encoding', body: b, headers: { ...PROTO, 'content-encoding': 'br' } })),
  );
}

describe('collector under malformed input', () => {
  it(`answers ${FUZZ_COUNT} fuzzed or malformed payloads with 4xx, stays up with bounded memory, and still stores valid traffic`, async () => {
    const proto = protoTemplate(16);
    const payloads = fc.sample(malformed(proto.body, jsonTemplate()), { numRuns: FUZZ_COUNT, seed: 20240611 });
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const url = `${c.url}/v1/traces`;
    const bad: string[] = [];
    const kinds = new Map<string, number>();
    const validIds: string[] = [];
    let peakRss = 0;
    let next = 0;
    const deadline = Date.now() + 120_000;
    const worker = async () => {
      while (next < payloads.length && Date.now() < deadline) {
        const i = next++;
        const p = payloads[i]!;
        const r = await post(url, p.body, p.headers, agent);
        kinds.set(p.kind, (kinds.get(p.kind) ?? 0) + 1);
        if (r.status < 400 || r.status >= 500) bad.push(`${p.kind} → ${r.status}`);
        if (i % 100 === 0) {
          const v = freshBatch(proto, i);
          const ok = await post(url, v.body, PROTO, agent);
          if (ok.status === 200) validIds.push(...v.ids);
          else bad.push(`valid batch → ${ok.status}`);
          peakRss = Math.max(peakRss, rssMb(c.child.pid!));
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    agent.destroy();
    expect(next).toBe(FUZZ_COUNT);
    expect(bad.slice(0, 20)).toEqual([]);
    expect(c.child.exitCode).toBeNull();
    expect(peakRss).toBeLessThan(RSS_BOUND_MB);
    const res = await fetch(`${c.url}/api/sql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sql: `SELECT count(*) AS n FROM spans WHERE span_id IN (${validIds.map((id) => `'${id}'`).join(',')})` }),
    });
    const table = (await res.json()) as { rows: [[number]] };
    expect(table.rows[0][0]).toBe(validIds.length);
    console.log(JSON.stringify({ peakRssMb: Math.round(peakRss), validSpans: validIds.length, kinds: Object.fromEntries(kinds) }));
  });
});

const SIGNAL_FUZZ_COUNT = 3_000;

/** Protobuf and JSON templates for /v1/logs and /v1/metrics, from the official SDKs and serializers. */
async function signalTemplates(): Promise<Record<'logs' | 'metrics', { proto: Buffer; json: Buffer }>> {
  const { LoggerProvider, InMemoryLogRecordExporter, SimpleLogRecordProcessor } = await import('@opentelemetry/sdk-logs');
  const { MeterProvider, MetricReader } = await import('@opentelemetry/sdk-metrics');
  const { ProtobufLogsSerializer, JsonLogsSerializer, ProtobufMetricsSerializer, JsonMetricsSerializer } = await import('@opentelemetry/otlp-transformer');
  const memory = new InMemoryLogRecordExporter();
  const logs = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter: memory })] });
  const logger = logs.getLogger('fuzz');
  for (let i = 0; i < 8; i++) logger.emit({ eventName: 'claude_code.api_request', body: 'x', attributes: { 'event.name': 'api_request', input_tokens: i, cost_usd: 0.01, model: 'm', request_id: `r${i}` } });
  const records = memory.getFinishedLogRecords();
  class Reader extends MetricReader {
    protected async onForceFlush(): Promise<void> {}
    protected async onShutdown(): Promise<void> {}
  }
  const reader = new Reader();
  const meters = new MeterProvider({ readers: [reader] });
  const m = meters.getMeter('fuzz');
  m.createCounter('c').add(3, { a: 'b' });
  m.createHistogram('h').record(12);
  m.createGauge('g').record(1.5);
  const { resourceMetrics } = await reader.collect();
  return {
    logs: { proto: Buffer.from(ProtobufLogsSerializer.serializeRequest(records)!), json: Buffer.from(JsonLogsSerializer.serializeRequest(records)!) },
    metrics: { proto: Buffer.from(ProtobufMetricsSerializer.serializeRequest(resourceMetrics)!), json: Buffer.from(JsonMetricsSerializer.serializeRequest(resourceMetrics)!) },
  };
}

/** Malformed by construction for a logs or metrics request (outer field 1 = Resource{Logs,Metrics}). */
function malformedSignal(signal: 'logs' | 'metrics', proto: Buffer, json: Buffer): fc.Arbitrary<Payload> {
  const key = signal === 'logs' ? 'resourceLogs' : 'resourceMetrics';
  const inner = signal === 'logs' ? 'scopeLogs' : 'scopeMetrics';
  const items = signal === 'logs' ? 'logRecords' : 'metrics';
  const bytes = (max: number) => fc.uint8Array({ minLength: 1, maxLength: max }).map((a) => Buffer.from(a));
  // A record whose string field (log severity_text 3, metric name 1) holds invalid UTF-8.
  const bad = Buffer.from([0xc3, 0x28, 0xff]);
  const record = Buffer.concat([Buffer.from([signal === 'logs' ? 0x1a : 0x0a, bad.length]), bad]);
  const scope = Buffer.concat([Buffer.from([0x12, record.length]), record]);
  const rs = Buffer.concat([Buffer.from([0x12, scope.length]), scope]);
  const invalidUtf8 = Buffer.concat([Buffer.from([0x0a, rs.length]), rs]);
  return fc.oneof(
    fc.integer({ min: 1, max: proto.length - 1 }).map((cut) => ({ kind: 'truncated-proto', body: proto.subarray(0, cut), headers: PROTO })),
    fc.integer({ min: 11, max: 40 }).map((n) => ({ kind: 'huge-varint-tag', body: Buffer.concat([Buffer.alloc(n, 0xff), Buffer.from([0x01])]), headers: PROTO })),
    fc.constantFrom(0x10, 0x20, 0x40).map((hi) => ({ kind: 'huge-length', body: Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, hi, 0x01]), headers: PROTO })),
    fc.tuple(fc.constantFrom(0x0b, 0x0c, 0x0e, 0x0f), bytes(64)).map(([tag, rest]) => ({ kind: 'bad-wire-type', body: Buffer.concat([Buffer.from([tag]), rest]), headers: PROTO })),
    bytes(256).map((b) => ({ kind: 'bad-gzip', body: b, headers: { ...PROTO, 'content-encoding': 'gzip' } })),
    fc.constant(null).map(() => ({ kind: 'oversized', body: Buffer.alloc(MAX_BODY + 1024, 0x0a), headers: PROTO })),
    fc.constant(null).map(() => ({ kind: 'proto-invalid-utf8', body: invalidUtf8, headers: PROTO })),
    bytes(32).map((b) => ({ kind: 'json-invalid-utf8', body: Buffer.concat([Buffer.from(`{"${key}":"`), Buffer.from([0xff, 0xfe]), b, Buffer.from('"}')]), headers: JSONCT })),
    fc.constantFrom('[]', '"x"', `{"${key}":3}`, `{"${key}":[1]}`, `{"${key}":[{"${inner}":{}}]}`, `{"${key}":[{"${inner}":[{"${items}":"no"}]}]}`).map((s) => ({ kind: 'json-wrong-types', body: Buffer.from(s), headers: JSONCT })),
    fc.integer({ min: 1, max: json.length - 2 }).map((cut) => ({ kind: 'json-truncated', body: json.subarray(0, cut), headers: JSONCT })),
    fc.tuple(fc.constantFrom('text/plain', 'application/xml', ''), bytes(64)).map(([ct, b]) => ({ kind: 'wrong-content-type', body: b, headers: (ct ? { 'content-type': ct } : {}) as Record<string, string> })),
  );
}

describe('collector under malformed logs and metrics', () => {
  it(`answers ${SIGNAL_FUZZ_COUNT} fuzzed payloads per signal on /v1/logs and /v1/metrics with 4xx, stays up, and still stores valid ones`, async () => {
    const templates = await signalTemplates();
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const bad: string[] = [];
    for (const signal of ['logs', 'metrics'] as const) {
      const t = templates[signal];
      const payloads = fc.sample(malformedSignal(signal, t.proto, t.json), { numRuns: SIGNAL_FUZZ_COUNT, seed: 20261203 });
      let next = 0;
      const deadline = Date.now() + 60_000;
      const worker = async () => {
        while (next < payloads.length && Date.now() < deadline) {
          const p = payloads[next++]!;
          const r = await post(`${c.url}/v1/${signal}`, p.body, p.headers, agent);
          if (r.status < 400 || r.status >= 500) bad.push(`${signal} ${p.kind} → ${r.status}`);
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
      expect(next).toBe(SIGNAL_FUZZ_COUNT);
      for (const [enc, body, headers] of [['proto', t.proto, PROTO], ['json', t.json, JSONCT]] as const) {
        const ok = await post(`${c.url}/v1/${signal}`, body, headers, agent);
        if (ok.status !== 200) bad.push(`valid ${signal} ${enc} → ${ok.status}`);
      }
    }
    agent.destroy();
    expect(bad.slice(0, 20)).toEqual([]);
    expect(c.child.exitCode).toBeNull();
    const res = await fetch(`${c.url}/api/sql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sql: 'SELECT (SELECT count(*) FROM log_records) AS logs, (SELECT count(*) FROM metric_points) AS points' }),
    });
    const table = (await res.json()) as { rows: [[number, number]] };
    expect(table.rows[0][0]).toBeGreaterThanOrEqual(8);
    expect(table.rows[0][1]).toBeGreaterThanOrEqual(3);
  });
});
