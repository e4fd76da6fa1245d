import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SpanKind, SpanStatusCode, type Attributes as OtelAttributes } from '@opentelemetry/api';
import { ProtobufTraceSerializer, JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { decodeTraceRequestProtobuf, decodeTraceRequestJson, ProtoDecodeError, JsonDecodeError } from '../collector/otlp/index.js';
import { KIND_NAMES, STATUS_NAMES, type SpanRecord } from '../store/types.js';

function hrToNs(t: [number, number]): bigint {
  return BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]);
}

function normAttrs(a: OtelAttributes | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // Contract: int64 beyond the safe range is kept exact as a decimal string.
  for (const [k, v] of Object.entries(a ?? {})) {
    out[k] = v instanceof Uint8Array ? Buffer.from(v).toString('base64') : typeof v === 'number' && Number.isInteger(v) && !Number.isSafeInteger(v) ? BigInt(v).toString() : v;
  }
  return out;
}

/** What a SpanRecord must look like for an SDK span, derived independently of the decoders. */
function expected(s: ReadableSpan): SpanRecord {
  const ctx = s.spanContext();
  return {
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    parentSpanId: s.parentSpanContext?.spanId ?? null,
    name: s.name,
    kind: KIND_NAMES[s.kind + 1]!,
    startNs: hrToNs(s.startTime),
    endNs: hrToNs(s.endTime),
    statusCode: STATUS_NAMES[s.status.code]!,
    statusMessage: s.status.message || null,
    attributes: normAttrs(s.attributes) as SpanRecord['attributes'],
    resource: normAttrs(s.resource.attributes) as SpanRecord['resource'],
    scopeName: s.instrumentationScope.name || null,
    scopeVersion: s.instrumentationScope.version || null,
    events: s.events.map((e) => ({ name: e.name, timeNs: hrToNs(e.time), attributes: normAttrs(e.attributes) as SpanRecord['attributes'] })),
    links: s.links.map((l) => ({ traceId: l.context.traceId, spanId: l.context.spanId, attributes: normAttrs(l.attributes) as SpanRecord['attributes'] })),
  };
}

function makeSpans(): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'decode-test', 'host.cores': 2, 'deployment.tags': ['a', 'b'] }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('agentpulse-test', '1.2.3');
  tracer.startActiveSpan('invoke_agent planner', { kind: SpanKind.SERVER, attributes: { 'gen_ai.agent.name': 'planner', 'gen_ai.usage.input_tokens': 1234, ratio: 0.25, ok: true, big: 2 ** 60, neg: -42, list: [1, 2, 3], words: ['x', 'y'] } }, (root) => {
    const child = tracer.startSpan('execute_tool search', { kind: SpanKind.CLIENT, links: [{ context: root.spanContext(), attributes: { why: 'fan-in' } }] });
    child.addEvent('retry', { attempt: 2, 'error.type': 'timeout' }, [1_700_000_000, 123_456_789]);
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'tool timed out – ünïcode ✓' });
    child.end();
    root.setStatus({ code: SpanStatusCode.OK });
    root.end();
  });
  return exporter.getFinishedSpans();
}

describe('decodeTraceRequestProtobuf', () => {
  it('decodes what the official OTLP protobuf serializer writes, field for field', () => {
    const spans = makeSpans();
    const body = Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!);
    const res = decodeTraceRequestProtobuf(body);
    expect(res.rejected).toBe(0);
    expect(res.spans).toEqual(spans.map(expected));
  });

  it('rejects every truncation that cuts into a span', () => {
    const body = Buffer.from(ProtobufTraceSerializer.serializeRequest(makeSpans())!);
    for (let cut = 1; cut < body.length; cut++) {
      expect(() => decodeTraceRequestProtobuf(body.subarray(0, cut)), `cut at ${cut}`).toThrow(ProtoDecodeError);
    }
  });

  it('never throws anything but ProtoDecodeError on arbitrary bytes or mutations', () => {
    const valid = Buffer.from(ProtobufTraceSerializer.serializeRequest(makeSpans())!);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        try { decodeTraceRequestProtobuf(Buffer.from(bytes)); } catch (e) { if (!(e instanceof ProtoDecodeError)) throw e; }
      }),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), (edits) => {
        const b = Buffer.from(valid);
        for (const [i, v] of edits) b[i] = v;
        try {
          const r = decodeTraceRequestProtobuf(b);
          for (const s of r.spans) {
            expect(s.traceId).toMatch(/^[0-9a-f]{32}$/);
            expect(s.endNs >= s.startNs).toBe(true);
          }
        } catch (e) { if (!(e instanceof ProtoDecodeError)) throw e; }
      }),
      { numRuns: 3000 },
    );
  });

  it('reads int64 attribute values exactly, beyond the safe-integer range as decimal strings', () => {
    // AnyValue.int_value for -1 and 2^63-1 written by hand: KeyValue{key, value{int_value}} inside a span.
    const enc = (n: bigint): number[] => { const o: number[] = []; let v = BigInt.asUintN(64, n); while (v > 0x7fn) { o.push(Number(v & 0x7fn) | 0x80); v >>= 7n; } o.push(Number(v)); return o; };
    const ld = (field: number, bytes: number[]): number[] => [(field << 3) | 2, ...enc(BigInt(bytes.length)), ...bytes];
    const kv = (key: string, n: bigint) => ld(9, [...ld(1, [...Buffer.from(key)]), ...ld(2, [3 << 3, ...enc(n)])]);
    const fixed = (field: number, n: bigint) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(n); return [(field << 3) | 1, ...b]; };
    const span = [...ld(1, Array(16).fill(1)), ...ld(2, Array(8).fill(2)), ...fixed(7, 1_700_000_000_000_000_010n), ...fixed(8, 1_700_000_000_000_000_020n), ...kv('a', -1n), ...kv('b', 2n ** 63n - 1n), ...kv('c', -(2n ** 63n)), ...kv('d', 2n ** 53n - 1n)];
    const req = ld(1, ld(2, ld(2, span)));
    const res = decodeTraceRequestProtobuf(Buffer.from(req));
    expect(res.spans[0]!.attributes).toEqual({ a: -1, b: '9223372036854775807', c: '-9223372036854775808', d: 2 ** 53 - 1 });
  });

  it('counts invalid spans as rejected and keeps the valid ones', () => {
    const spans = makeSpans();
    const body = Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!);
    // Zero out the first span's trace id in place (field 1 of the first Span): find 16-byte run of its id.
    const id = Buffer.from(spans[0]!.spanContext().traceId, 'hex');
    const at = body.indexOf(id);
    body.fill(0, at, at + 16);
    const res = decodeTraceRequestProtobuf(body);
    expect(res.rejected).toBe(1);
    expect(res.spans).toHaveLength(spans.length - 1);
    expect(res.errorMessage).toMatch(/trace_id/);
  });
});

describe('times the store cannot hold', () => {
  it('rejects (partial success) a span ending after 2262, from protobuf and JSON, keeping the others', () => {
    const ld = (field: number, bytes: number[]): number[] => [(field << 3) | 2, bytes.length, ...bytes];
    const fixed = (field: number, v: bigint): number[] => {
      const out = [(field << 3) | 1];
      for (let i = 0n; i < 8n; i++) out.push(Number((v >> (8n * i)) & 0xffn));
      return out;
    };
    const start = 1_700_000_000_000_000_000n;
    const span = (id: number, end: bigint): number[] => [...ld(1, Array(16).fill(1)), ...ld(2, Array(8).fill(id)), ...fixed(7, start), ...fixed(8, end)];
    const req = ld(1, ld(2, [...ld(2, span(2, 2n ** 63n)), ...ld(2, span(3, start + 20n))]));
    const proto = decodeTraceRequestProtobuf(Buffer.from(req));
    expect(proto.rejected).toBe(1);
    expect(proto.spans.map((x) => x.spanId)).toEqual(['0303030303030303']);
    expect(proto.errorMessage).toMatch(/2262/);
    const json = (end: string, id: string) => ({ traceId: '01'.repeat(16), spanId: id, name: 'x', startTimeUnixNano: String(start), endTimeUnixNano: end });
    const body = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [json('18446744073709551615', '02'.repeat(8)), json(String(start + 20n), '03'.repeat(8))] }] }] });
    const viaJson = decodeTraceRequestJson(Buffer.from(body));
    expect(viaJson.rejected).toBe(1);
    expect(viaJson.spans.map((x) => x.spanId)).toEqual(['0303030303030303']);
  });
});

describe('decodeTraceRequestJson', () => {
  it('decodes what the official OTLP JSON serializer writes, field for field', () => {
    const spans = makeSpans();
    const body = Buffer.from(JsonTraceSerializer.serializeRequest(spans)!);
    const res = decodeTraceRequestJson(body);
    expect(res.rejected).toBe(0);
    expect(res.spans).toEqual(spans.map(expected));
  });

  it('accepts int64 as strings, enum names and snake_case, and rejects wrongly typed spans', () => {
    const doc = {
      resource_spans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] }, scope_spans: [{ spans: [
        { trace_id: 'AB'.repeat(16), span_id: '01'.repeat(8), name: 'ok', kind: 'SPAN_KIND_CLIENT', start_time_unix_nano: '1700000000000000001', end_time_unix_nano: '1700000000000000002', status: { code: 2 }, attributes: [{ key: 'n', value: { intValue: '9007199254740993' } }] },
        { traceId: 12, spanId: '01'.repeat(8), startTimeUnixNano: '1', endTimeUnixNano: '2' },
        { traceId: 'ab'.repeat(16), spanId: '02'.repeat(8), startTimeUnixNano: '5', endTimeUnixNano: '4' },
      ] }] }],
    };
    const res = decodeTraceRequestJson(JSON.stringify(doc));
    expect(res.rejected).toBe(2);
    expect(res.spans).toHaveLength(1);
    expect(res.spans[0]).toMatchObject({ traceId: 'ab'.repeat(16), kind: 'client', statusCode: 'ERROR', startNs: 1700000000000000001n, attributes: { n: '9007199254740993' }, resource: { 'service.name': 'svc' } });
  });

  it('refuses invalid UTF-8, non-JSON and non-object bodies with JsonDecodeError', () => {
    expect(() => decodeTraceRequestJson(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))).toThrow(JsonDecodeError);
    expect(() => decodeTraceRequestJson('{"resourceSpans": [')).toThrow(JsonDecodeError);
    expect(() => decodeTraceRequestJson('[1,2]')).toThrow(JsonDecodeError);
    expect(() => decodeTraceRequestJson('{"resourceSpans": 3}')).toThrow(JsonDecodeError);
  });

  it('gzip is transparent to the decoder input (sanity for the HTTP layer)', () => {
    const body = Buffer.from(JsonTraceSerializer.serializeRequest(makeSpans())!);
    expect(gzipSync(body).length).toBeGreaterThan(0);
  });
});
