import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { SeverityNumber, type AnyValue, type Logger, type LogRecord } from '@opentelemetry/api-logs';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { JsonLogsSerializer, ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import type { LogRecordIn } from '../../store/signals.js';
import type { AttrValue, Attributes } from '../../store/types.js';
import { decodeLogsRequestProtobuf, decodeLogsRequestProtobufSliced } from './logsProtobuf.js';
import { decodeLogsRequestJson, decodeLogsRequestJsonSliced } from './logsJson.js';
import { ProtoDecodeError } from './ProtoReader.js';
import { JsonDecodeError } from './jsonFields.js';
import { fixed32, fixed64, hexField, kvInt, kvString, ld, request, str, vint } from '../../test/otlpWire.js';

const hrToNs = (t: [number, number]): bigint => BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]);

/** An SDK value as the decoders keep it: bytes as base64, int64 beyond 2^53 as a decimal string. */
function norm(v: unknown): AttrValue {
  if (v === undefined || v === null) return null;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (typeof v === 'number' && Number.isInteger(v)) return Number.isSafeInteger(v) ? v + 0 : BigInt(v).toString();
  if (Array.isArray(v)) return v.map(norm);
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, norm(x)]));
  return v as AttrValue;
}

/** What a LogRecordIn must be for an SDK record, derived independently of the decoders. */
function expected(r: ReadableLogRecord): LogRecordIn {
  const attributes = norm(r.attributes) as Attributes;
  const eventAttr = attributes['event.name'];
  return {
    timeNs: hrToNs(r.hrTime),
    observedNs: hrToNs(r.hrTimeObserved),
    traceId: r.spanContext?.traceId ?? null,
    spanId: r.spanContext?.spanId ?? null,
    severityNumber: r.severityNumber ? r.severityNumber : null,
    severityText: r.severityText || null,
    body: norm(r.body),
    eventName: r.eventName || (typeof eventAttr === 'string' && eventAttr !== '' ? eventAttr : null),
    attributes,
    resource: norm(r.resource.attributes) as Attributes,
    scopeName: r.instrumentationScope.name || null,
    scopeVersion: r.instrumentationScope.version || null,
  };
}

function makeLogs(emit: (logger: Logger) => void): ReadableLogRecord[] {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'claude-code', 'host.cores': 8, 'deployment.tags': ['a', 'b'] }),
    processors: [new SimpleLogRecordProcessor({ exporter })],
  });
  emit(provider.getLogger('com.anthropic.claude_code.events', '2.0.14'));
  return exporter.getFinishedLogRecords();
}

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

function agentLogs(): ReadableLogRecord[] {
  return makeLogs((logger) => {
    const ctx = trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE, spanId: SPAN, traceFlags: TraceFlags.SAMPLED });
    logger.emit({
      eventName: 'claude_code.api_request',
      timestamp: [1_760_000_000, 123_456_789],
      observedTimestamp: [1_760_000_000, 223_456_789],
      severityNumber: SeverityNumber.INFO,
      severityText: 'INFO',
      body: 'claude_code.api_request',
      context: ctx,
      attributes: { model: 'claude-sonnet-4-5', input_tokens: 1234, cost_usd: 0.0123, duration_ms: '842', success: true, big: 2 ** 60, neg: -7, tools: ['Read', 'Edit'], request: { id: 'req_1', retries: 2, tags: ['x'] } },
    });
    // Codex names its events by attribute, not by the event_name field.
    logger.emit({ timestamp: new Date('2025-11-01T10:00:00Z'), severityNumber: SeverityNumber.WARN2, attributes: { 'event.name': 'codex.tool_result', 'tool.name': 'shell', 'output.bytes': '4096' } });
    logger.emit({ body: { message: 'map body', count: 3, nested: { deep: [1, 'two', false] } }, attributes: { bytes: new Uint8Array([1, 2, 254, 255]) } });
    logger.emit({ eventName: 'gen_ai.evaluation.result', body: new Uint8Array([0, 1, 2]), attributes: { 'gen_ai.evaluation.score.value': 0.75 } });
  });
}

describe('decodeLogsRequestProtobuf', () => {
  it('decodes what the official protobuf serializer writes, field for field', () => {
    const logs = agentLogs();
    const res = decodeLogsRequestProtobuf(Buffer.from(ProtobufLogsSerializer.serializeRequest(logs)!));
    expect(res.errorMessage).toBe('');
    expect(res.rejected).toBe(0);
    expect(res.records).toEqual(logs.map(expected));
    expect(res.records.map((r) => r.eventName)).toEqual(['claude_code.api_request', 'codex.tool_result', null, 'gen_ai.evaluation.result']);
  });

  it('gives a record without a time of its own the observed time, else the collector clock', () => {
    const before = BigInt(Date.now()) * 1_000_000n;
    const observed = 1_760_000_000_000_000_001n;
    const res = decodeLogsRequestProtobuf(request([[...fixed64(11, observed), ...str(12, 'a')], str(12, 'b')]));
    const after = BigInt(Date.now()) * 1_000_000n;
    expect(res.records[0]).toMatchObject({ timeNs: observed, observedNs: observed, eventName: 'a' });
    expect(res.records[1]!.observedNs).toBe(0n);
    expect(res.records[1]!.timeNs >= before && res.records[1]!.timeNs <= after).toBe(true);
  });

  it('reads ids as null when empty or all zeros, and keeps a __proto__ attribute as an own key', () => {
    const t = fixed64(1, 1_760_000_000_000_000_000n);
    const res = decodeLogsRequestProtobuf(request([
      [...t, ...hexField(9, '00'.repeat(16)), ...hexField(10, '00'.repeat(8)), ...fixed32(8, 1), ...kvString(6, '__proto__', 'polluted'), ...kvInt(6, 'n', -3)],
      [...t, ...ld(9, []), ...ld(10, [])],
    ]));
    expect(res.rejected).toBe(0);
    expect(res.records.map((r) => [r.traceId, r.spanId])).toEqual([[null, null], [null, null]]);
    const attrs = res.records[0]!.attributes;
    expect(Object.getPrototypeOf(attrs)).toBe(Object.prototype);
    expect(Object.keys(attrs)).toEqual(['__proto__', 'n']);
    expect(attrs.n).toBe(-3);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('rejects only the bad records (OTLP partial success), saying why', () => {
    const t = fixed64(1, 1_760_000_000_000_000_000n);
    const good = (name: string) => [...t, ...str(12, name)];
    const res = decodeLogsRequestProtobuf(request([
      good('ok.1'),
      [...t, ...str(12, 'short.span'), ...hexField(9, TRACE), ...hexField(10, 'abcdef')],
      good('ok.2'),
      [...fixed64(1, 1_000_000_000n), ...str(12, 'from.1970')],
      [...t, ...str(12, 'bad.severity'), ...vint(2, 99)],
      [...t, ...str(12, 'negative.severity'), ...vint(2, -1)],
    ]));
    expect(res.records.map((r) => r.eventName)).toEqual(['ok.1', 'ok.2']);
    expect(res.rejected).toBe(4);
    expect(res.outOfWindow).toBe(1);
    expect(res.errorMessage).toMatch(/^rejected 4 log record\(s\): log record short\.span: span_id must be empty or 8 bytes; log record from\.1970: time_unix_nano is before 2000-01-01 .*; log record bad\.severity: severity_number 99 is not defined \(\+1 more\)$/);
  });

  it('refuses damaged wire with ProtoDecodeError: every truncation, wrong wire types', () => {
    const body = Buffer.from(ProtobufLogsSerializer.serializeRequest(agentLogs())!);
    for (let cut = 1; cut < body.length; cut++) {
      expect(() => decodeLogsRequestProtobuf(body.subarray(0, cut)), `cut at ${cut}`).toThrow(ProtoDecodeError);
    }
    expect(() => decodeLogsRequestProtobuf(request([vint(1, 5)]))).toThrow(/field 1 has wire type 0/);
    expect(() => decodeLogsRequestProtobuf(request([vint(8, 1)]))).toThrow(ProtoDecodeError);
  });

  it('never throws anything but ProtoDecodeError on random bytes or mutations of a real request', () => {
    const valid = Buffer.from(ProtobufLogsSerializer.serializeRequest(agentLogs())!);
    const tolerant = (b: Buffer) => {
      try {
        decodeLogsRequestProtobuf(b);
      } catch (e) {
        if (!(e instanceof ProtoDecodeError)) throw e;
      }
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => tolerant(Buffer.from(bytes))), { numRuns: 3000 });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), (edits) => {
        const b = Buffer.from(valid);
        for (const [i, v] of edits) b[i] = v;
        tolerant(b);
      }),
      { numRuns: 3000 },
    );
  });

  it('decodes in slices to the same result, letting the event loop in', async () => {
    const logs = makeLogs((logger) => {
      for (let i = 0; i < 20_000; i++) logger.emit({ eventName: `e${i % 7}`, body: `line ${i}`, attributes: { i } });
    });
    const body = Buffer.from(ProtobufLogsSerializer.serializeRequest(logs)!);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const sliced = await decodeLogsRequestProtobufSliced(body, 1);
    clearInterval(timer);
    expect(sliced).toEqual(decodeLogsRequestProtobuf(body));
    expect(sliced.records).toHaveLength(20_000);
    expect(ticks).toBeGreaterThan(0);
  });
});

describe('decodeLogsRequestJson', () => {
  it('decodes what the official JSON serializer writes, field for field', () => {
    const logs = agentLogs();
    const res = decodeLogsRequestJson(Buffer.from(JsonLogsSerializer.serializeRequest(logs)!));
    expect(res.errorMessage).toBe('');
    expect(res.records).toEqual(logs.map(expected));
  });

  it('accepts snake_case, enum names, int64 as numbers and strings, and upper-case hex', () => {
    const doc = {
      resource_logs: [{ resource: { attributes: [{ key: 'service.name', value: { string_value: 'codex' } }] }, scope_logs: [{ scope: { name: 'codex_otel', version: '0.5' }, log_records: [
        { time_unix_nano: '1760000000000000001', observed_time_unix_nano: '1760000000000000002', flags: 1, dropped_attributes_count: 2, severity_number: 'SEVERITY_NUMBER_ERROR3', severity_text: 'ERROR', event_name: 'codex.api_request', trace_id: TRACE.toUpperCase(), span_id: SPAN, body: { kvlist_value: { values: [{ key: 'a', value: { int_value: '9007199254740993' } }, { key: 'b', value: { intValue: -12 } }] } }, attributes: [{ key: 'x', value: { doubleValue: 'Infinity' } }] },
        { timeUnixNano: 1_700_000_000_000, severityNumber: 5, attributes: [{ key: 'event.name', value: { stringValue: 'from.attribute' } }] },
      ] }] }],
    };
    const res = decodeLogsRequestJson(JSON.stringify(doc));
    expect(res.records[0]).toEqual({
      timeNs: 1_760_000_000_000_000_001n, observedNs: 1_760_000_000_000_000_002n, traceId: TRACE, spanId: SPAN, severityNumber: 19, severityText: 'ERROR',
      body: { a: '9007199254740993', b: -12 }, eventName: 'codex.api_request', attributes: { x: 'Infinity' }, resource: { 'service.name': 'codex' }, scopeName: 'codex_otel', scopeVersion: '0.5',
    });
    expect(res.records).toHaveLength(1);
    expect(res.rejected).toBe(1);
    // A JSON number cannot hold an epoch time in ns exactly (2^53 ns is 1970-04-15); 1_700_000_000_000 is 1970, refused like spans.
    expect(res.outOfWindow).toBe(1);
    expect(res.errorMessage).toMatch(/log record from\.attribute: time_unix_nano is before 2000-01-01/);
  });

  it('rejects only the bad records (OTLP partial success), saying why', () => {
    const rec = (extra: Record<string, unknown>) => ({ timeUnixNano: '1760000000000000000', eventName: 'e', ...extra });
    const doc = { resourceLogs: [{ scopeLogs: [{ logRecords: [rec({}), rec({ traceId: 'xyz' }), rec({ severityNumber: 25 }), rec({ traceId: 'ab' }), 7, rec({ attributes: [{ key: '__proto__', value: { boolValue: true } }] })] }] }] };
    const res = decodeLogsRequestJson(JSON.stringify(doc));
    expect(res.records).toHaveLength(2);
    expect(Object.keys(res.records[1]!.attributes)).toEqual(['__proto__']);
    expect(res.rejected).toBe(4);
    expect(res.errorMessage).toBe('rejected 4 log record(s): traceId must be a hex string; severityNumber 25 is not defined; log record e: trace_id must be empty or 16 bytes (+1 more)');
  });

  it('rejects every record under a malformed resource', () => {
    const doc = { resourceLogs: [{ resource: { attributes: 5 }, scopeLogs: [{ logRecords: [{}, {}] }] }, { scopeLogs: [{ logRecords: [{}] }] }] };
    const res = decodeLogsRequestJson(JSON.stringify(doc));
    expect(res.rejected).toBe(2);
    expect(res.records).toHaveLength(1);
  });

  it('refuses bodies that are not an export request with JsonDecodeError', () => {
    for (const body of ['{"resourceLogs": [', '[1]', '{"resourceLogs": 3}', '{"resourceLogs": [{"scopeLogs": [{"logRecords": {}}]}]}', '{"resourceLogs": [7]}']) {
      expect(() => decodeLogsRequestJson(body), body).toThrow(JsonDecodeError);
    }
    expect(() => decodeLogsRequestJson(Buffer.from([0x7b, 0xff, 0x7d]))).toThrow(JsonDecodeError);
    expect(decodeLogsRequestJson('{}')).toEqual({ records: [], rejected: 0, errorMessage: '', outOfWindow: 0 });
  });

  it('never throws anything but JsonDecodeError on random JSON, random records or broken text', () => {
    const tolerant = (body: string) => {
      try {
        decodeLogsRequestJson(body);
      } catch (e) {
        if (!(e instanceof JsonDecodeError)) throw e;
      }
    };
    fc.assert(fc.property(fc.json(), tolerant), { numRuns: 2000 });
    fc.assert(fc.property(fc.array(fc.anything()), (records) => tolerant(JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: records }] }] }) ?? '')), { numRuns: 2000 });
    const valid = Buffer.from(JsonLogsSerializer.serializeRequest(agentLogs())!).toString();
    fc.assert(fc.property(fc.nat(valid.length - 1), fc.string({ maxLength: 3 }), (at, s) => tolerant(valid.slice(0, at) + s + valid.slice(at + 1))), { numRuns: 2000 });
  });

  it('decodes in slices to the same result', async () => {
    const body = Buffer.from(JsonLogsSerializer.serializeRequest(agentLogs())!);
    expect(await decodeLogsRequestJsonSliced(body, 0)).toEqual(decodeLogsRequestJson(body));
  });
});

// Values the SDK and both serializers carry faithfully: finite doubles that are not integers
// (an integer-valued double is written as int_value), int64 integers, strings, booleans, nesting.
const scalar = fc.oneof(fc.string(), fc.integer(), fc.constantFrom(2 ** 60, -(2 ** 55), 0.5, -1.25e-7), fc.double({ noNaN: true, min: -1e12, max: 1e12 }).filter((d) => !Number.isInteger(d)), fc.boolean());
const anyValue: fc.Arbitrary<AnyValue> = fc.letrec<{ v: AnyValue }>((tie) => ({
  v: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 6 }), tie('v'), { maxKeys: 3 })),
})).v;
const hex = (bytes: number) => fc.uint8Array({ minLength: bytes, maxLength: bytes }).filter((b) => b.some((x) => x !== 0)).map((b) => Buffer.from(b).toString('hex'));
/** Inside the accepted window: from 2000-01-01 to now. */
const epoch = fc.tuple(fc.integer({ min: 946_684_800, max: Math.floor(Date.now() / 1000) }), fc.integer({ min: 0, max: 999_999_999 }));
const logRecord: fc.Arbitrary<LogRecord & { ids?: [string, string] }> = fc.record(
  {
    eventName: fc.string({ maxLength: 20 }),
    timestamp: epoch,
    observedTimestamp: epoch,
    severityNumber: fc.integer({ min: 0, max: 24 }),
    severityText: fc.string({ maxLength: 8 }),
    body: anyValue,
    attributes: fc.dictionary(fc.string({ maxLength: 10 }), anyValue, { maxKeys: 5 }),
    ids: fc.tuple(hex(16), hex(8)),
  },
  { requiredKeys: ['timestamp', 'observedTimestamp'] },
);

describe('logs decoders, property-based', () => {
  it('decode random records written by the official serializers back to the same values, in both encodings', () => {
    fc.assert(
      fc.property(fc.array(logRecord, { minLength: 1, maxLength: 4 }), (records) => {
        const logs = makeLogs((logger) => {
          for (const { ids, ...r } of records) {
            const context = ids ? trace.setSpanContext(ROOT_CONTEXT, { traceId: ids[0], spanId: ids[1], traceFlags: TraceFlags.NONE }) : undefined;
            logger.emit({ ...r, context });
          }
        });
        const want = logs.map(expected);
        const viaProto = decodeLogsRequestProtobuf(Buffer.from(ProtobufLogsSerializer.serializeRequest(logs)!));
        const viaJson = decodeLogsRequestJson(Buffer.from(JsonLogsSerializer.serializeRequest(logs)!));
        expect(viaProto).toEqual({ records: want, rejected: 0, errorMessage: '', outOfWindow: 0 });
        expect(viaJson).toEqual({ records: want, rejected: 0, errorMessage: '', outOfWindow: 0 });
      }),
      { numRuns: 300 },
    );
  });
});
