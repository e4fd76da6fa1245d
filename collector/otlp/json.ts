import type { AttrValue, Attributes, SpanEventRecord, SpanKindName, SpanLinkRecord, SpanRecord, StatusCodeName } from '../../store/types.js';
import { KIND_NAMES, STATUS_NAMES } from '../../store/types.js';
import { RejectionLog, type DecodeResult } from './decodeResult.js';
import { runSliced, runToEnd, type Steps } from './slices.js';

/** The request as a whole is not an OTLP JSON export request (answer 400). */
export class JsonDecodeError extends Error {
  override readonly name = 'JsonDecodeError';
}

/** One span is unusable; it is counted as rejected and the rest of the request proceeds. */
class SpanShapeError extends Error {}

const MAX_ANY_DEPTH = 32;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const HEX_RE = /^[0-9a-fA-F]*$/;
const UINT_RE = /^[0-9]{1,20}$/;
const INT_RE = /^-?[0-9]{1,20}$/;
const U64_MAX = 0xffffffffffffffffn;

/**
 * Decodes an OTLP/JSON `ExportTraceServiceRequest` (protobuf JSON mapping: hex ids,
 * integer enums, int64 as string or number, lowerCamelCase names; snake_case is accepted too).
 */
export function decodeTraceRequestJson(body: Buffer | string): DecodeResult {
  return runToEnd(decodeSteps(body));
}

/**
 * {@link decodeTraceRequestJson} in slices of about `sliceMs`, yielding to the event loop between
 * spans (the `JSON.parse` of the body itself is one step).
 */
export function decodeTraceRequestJsonSliced(body: Buffer | string, sliceMs = 10): Promise<DecodeResult> {
  return runSliced(decodeSteps(body), sliceMs);
}

function* decodeSteps(body: Buffer | string): Steps<DecodeResult> {
  let doc: unknown;
  try {
    doc = JSON.parse(typeof body === 'string' ? body : utf8.decode(body));
  } catch (err) {
    throw new JsonDecodeError(err instanceof TypeError ? 'body is not valid UTF-8' : 'body is not valid JSON', { cause: err });
  }
  if (!isObject(doc)) throw new JsonDecodeError('request must be a JSON object');
  const resourceSpans = field(doc, 'resourceSpans', 'resource_spans');
  const out: SpanRecord[] = [];
  const rej = new RejectionLog();
  if (resourceSpans === undefined || resourceSpans === null) return { spans: out, rejected: 0, errorMessage: '' };
  if (!Array.isArray(resourceSpans)) throw new JsonDecodeError('resourceSpans must be an array');
  for (const rs of resourceSpans) {
    if (!isObject(rs)) throw new JsonDecodeError('resourceSpans[] must hold objects');
    const scopeSpans = field(rs, 'scopeSpans', 'scope_spans');
    if (scopeSpans === undefined || scopeSpans === null) continue;
    if (!Array.isArray(scopeSpans)) throw new JsonDecodeError('scopeSpans must be an array');
    let resource: Attributes;
    try {
      const res = rs.resource;
      resource = res === undefined || res === null ? {} : attributesOf(objectOf(res, 'resource').attributes);
    } catch (err) {
      if (!(err instanceof SpanShapeError)) throw err;
      // A bad resource poisons every span under it.
      for (const ss of scopeSpans) if (isObject(ss) && Array.isArray(ss.spans)) for (const _ of ss.spans) rej.add(err.message);
      continue;
    }
    for (const ss of scopeSpans) {
      if (!isObject(ss)) throw new JsonDecodeError('scopeSpans[] must hold objects');
      const spans = ss.spans;
      if (spans === undefined || spans === null) continue;
      if (!Array.isArray(spans)) throw new JsonDecodeError('spans must be an array');
      const scope = ss.scope;
      const scopeName = isObject(scope) && typeof scope.name === 'string' && scope.name !== '' ? scope.name : null;
      const scopeVersion = isObject(scope) && typeof scope.version === 'string' && scope.version !== '' ? scope.version : null;
      for (const raw of spans) {
        try {
          const span = toSpan(raw, resource, scopeName, scopeVersion);
          rej.accept(span, out);
        } catch (err) {
          if (!(err instanceof SpanShapeError)) throw err;
          rej.add(err.message);
        }
        yield;
      }
    }
  }
  return { spans: out, rejected: rej.count, errorMessage: rej.message(), outOfWindow: rej.outOfWindow };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function field(o: Record<string, unknown>, camel: string, snake: string): unknown {
  const v = o[camel];
  return v === undefined ? o[snake] : v;
}

function objectOf(v: unknown, what: string): Record<string, unknown> {
  if (!isObject(v)) throw new SpanShapeError(`${what} must be an object`);
  return v;
}

function hexId(v: unknown, what: string): string {
  if (v === undefined || v === null || v === '') return '';
  if (typeof v !== 'string' || !HEX_RE.test(v)) throw new SpanShapeError(`${what} must be a hex string`);
  return v.toLowerCase();
}

function optString(v: unknown, what: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new SpanShapeError(`${what} must be a string`);
  return v;
}

function nanos(v: unknown, what: string): bigint {
  if (v === undefined || v === null) return 0n;
  if (typeof v === 'string' && UINT_RE.test(v)) {
    const n = BigInt(v);
    if (n <= U64_MAX) return n;
  } else if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) {
    return BigInt(v);
  }
  throw new SpanShapeError(`${what} must be an unsigned 64-bit integer (string or number)`);
}

function enumValue(v: unknown, names: readonly string[], prefix: string, what: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < names.length) return v;
  if (typeof v === 'string') {
    // The JSON mapping allows enum names; accept e.g. SPAN_KIND_SERVER and STATUS_CODE_ERROR.
    const i = names.findIndex((n) => `${prefix}${n.toUpperCase()}` === v);
    if (i >= 0) return i;
  }
  throw new SpanShapeError(`${what} ${JSON.stringify(v)} is not defined`);
}

function arrayOf(v: unknown, what: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new SpanShapeError(`${what} must be an array`);
  return v;
}

function toSpan(raw: unknown, resource: Attributes, scopeName: string | null, scopeVersion: string | null): SpanRecord {
  const s = objectOf(raw, 'span');
  const parent = hexId(field(s, 'parentSpanId', 'parent_span_id'), 'parentSpanId');
  const status = s.status === undefined || s.status === null ? {} : objectOf(s.status, 'status');
  const statusMessage = optString(status.message, 'status.message');
  const events: SpanEventRecord[] = arrayOf(s.events, 'events').map((e) => {
    const ev = objectOf(e, 'event');
    return {
      name: optString(ev.name, 'event.name'),
      timeNs: nanos(field(ev, 'timeUnixNano', 'time_unix_nano'), 'event.timeUnixNano'),
      attributes: attributesOf(ev.attributes),
    };
  });
  const links: SpanLinkRecord[] = arrayOf(s.links, 'links').map((l) => {
    const lk = objectOf(l, 'link');
    return {
      traceId: hexId(field(lk, 'traceId', 'trace_id'), 'link.traceId'),
      spanId: hexId(field(lk, 'spanId', 'span_id'), 'link.spanId'),
      attributes: attributesOf(lk.attributes),
    };
  });
  return {
    traceId: hexId(field(s, 'traceId', 'trace_id'), 'traceId'),
    spanId: hexId(field(s, 'spanId', 'span_id'), 'spanId'),
    parentSpanId: parent === '' ? null : parent,
    name: optString(s.name, 'name'),
    kind: KIND_NAMES[enumValue(s.kind, KIND_NAMES, 'SPAN_KIND_', 'kind')] as SpanKindName,
    startNs: nanos(field(s, 'startTimeUnixNano', 'start_time_unix_nano'), 'startTimeUnixNano'),
    endNs: nanos(field(s, 'endTimeUnixNano', 'end_time_unix_nano'), 'endTimeUnixNano'),
    statusCode: STATUS_NAMES[enumValue(status.code, STATUS_NAMES, 'STATUS_CODE_', 'status.code')] as StatusCodeName,
    statusMessage: statusMessage === '' ? null : statusMessage,
    attributes: attributesOf(s.attributes),
    resource,
    scopeName,
    scopeVersion,
    events,
    links,
  };
}

function attributesOf(v: unknown, depth = 0): Attributes {
  const out: Attributes = {};
  for (const kv of arrayOf(v, 'attributes')) {
    const o = objectOf(kv, 'attribute');
    if (typeof o.key !== 'string') throw new SpanShapeError('attribute key must be a string');
    const value = anyValue(o.value, depth);
    if (o.key === '__proto__') Object.defineProperty(out, o.key, { value, enumerable: true, writable: true, configurable: true });
    else out[o.key] = value;
  }
  return out;
}

function anyValue(v: unknown, depth: number): AttrValue {
  if (depth > MAX_ANY_DEPTH) throw new SpanShapeError('attribute value nested too deeply');
  if (v === undefined || v === null) return null;
  const o = objectOf(v, 'attribute value');
  if (o.stringValue !== undefined || o.string_value !== undefined) return optString(field(o, 'stringValue', 'string_value'), 'stringValue');
  const b = field(o, 'boolValue', 'bool_value');
  if (b !== undefined) {
    if (typeof b !== 'boolean') throw new SpanShapeError('boolValue must be a boolean');
    return b;
  }
  const i = field(o, 'intValue', 'int_value');
  if (i !== undefined) {
    if (typeof i === 'number' && Number.isInteger(i)) return Number.isSafeInteger(i) ? i : BigInt(i).toString();
    if (typeof i === 'string' && INT_RE.test(i)) {
      const n = BigInt(i);
      if (n > 0x7fffffffffffffffn || n < -0x8000000000000000n) throw new SpanShapeError('intValue out of int64 range');
      return n >= -9007199254740991n && n <= 9007199254740991n ? Number(n) : n.toString();
    }
    throw new SpanShapeError('intValue must be an integer');
  }
  const d = field(o, 'doubleValue', 'double_value');
  if (d !== undefined) {
    if (typeof d === 'number') return d;
    // The JSON mapping spells non-finite doubles as strings.
    if (d === 'NaN' || d === 'Infinity' || d === '-Infinity') return d;
    if (typeof d === 'string' && d.trim() !== '' && Number.isFinite(Number(d))) return Number(d);
    throw new SpanShapeError('doubleValue must be a number');
  }
  const a = field(o, 'arrayValue', 'array_value');
  if (a !== undefined) return arrayOf(objectOf(a, 'arrayValue').values, 'arrayValue.values').map((x) => anyValue(x, depth + 1));
  const kv = field(o, 'kvlistValue', 'kvlist_value');
  if (kv !== undefined) return attributesOf(objectOf(kv, 'kvlistValue').values, depth + 1);
  const bytes = field(o, 'bytesValue', 'bytes_value');
  if (bytes !== undefined) {
    if (typeof bytes !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(bytes)) throw new SpanShapeError('bytesValue must be base64');
    return Buffer.from(bytes, 'base64').toString('base64');
  }
  return null;
}
