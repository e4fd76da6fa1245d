import type { AttrValue, Attributes } from '../../store/types.js';

// Readers for the OTLP/JSON mapping (protobuf JSON with the OTLP exceptions): hex trace and span
// ids, int64 as a string or a number, enums as a number or their name, lowerCamelCase field names
// with the original snake_case accepted too.

/** The request as a whole is not an OTLP JSON export request (answer 400). */
export class JsonDecodeError extends Error {
  override readonly name = 'JsonDecodeError';
}

/** One record (span, log record, data point) is unusable; it is rejected and the rest proceeds. */
export class RecordShapeError extends Error {}

const MAX_ANY_DEPTH = 32;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const HEX_RE = /^[0-9a-fA-F]*$/;
const UINT_RE = /^[0-9]{1,20}$/;
const INT_RE = /^-?[0-9]{1,20}$/;
const U64_MAX = 0xffffffffffffffffn;

/** Parses a request body that must be a JSON object; anything else throws `JsonDecodeError`. */
export function parseJsonBody(body: Buffer | string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(typeof body === 'string' ? body : utf8.decode(body));
  } catch (err) {
    throw new JsonDecodeError(err instanceof TypeError ? 'body is not valid UTF-8' : 'body is not valid JSON', { cause: err });
  }
  if (!isObject(doc)) throw new JsonDecodeError('request must be a JSON object');
  return doc;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A field by its lowerCamelCase name, else its snake_case name. */
export function field(o: Record<string, unknown>, camel: string, snake: string): unknown {
  const v = o[camel];
  return v === undefined ? o[snake] : v;
}

export function objectOf(v: unknown, what: string): Record<string, unknown> {
  if (!isObject(v)) throw new RecordShapeError(`${what} must be an object`);
  return v;
}

/** A hex id in lowercase, '' when absent; its length is the caller's to check. */
export function hexId(v: unknown, what: string): string {
  if (v === undefined || v === null || v === '') return '';
  if (typeof v !== 'string' || !HEX_RE.test(v)) throw new RecordShapeError(`${what} must be a hex string`);
  return v.toLowerCase();
}

export function optString(v: unknown, what: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new RecordShapeError(`${what} must be a string`);
  return v;
}

/** A uint64 (times, counts), 0n when absent. */
export function nanos(v: unknown, what: string): bigint {
  if (v === undefined || v === null) return 0n;
  if (typeof v === 'string' && UINT_RE.test(v)) {
    const n = BigInt(v);
    if (n <= U64_MAX) return n;
  } else if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) {
    return BigInt(v);
  } else if (typeof v === 'number' && Number.isInteger(v) && v > 0) {
    throw new RecordShapeError(`${what} is beyond 2^53 as a JSON number, which cannot hold it exactly: send it as a string`);
  }
  throw new RecordShapeError(`${what} must be an unsigned 64-bit integer (string or number)`);
}

/** An enum as its number or its name (`prefix` + upper-cased entry of `names`); 0 when absent. */
export function enumValue(v: unknown, names: readonly string[], prefix: string, what: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < names.length) return v;
  if (typeof v === 'string') {
    // The JSON mapping allows enum names; accept e.g. SPAN_KIND_SERVER and STATUS_CODE_ERROR.
    const i = names.findIndex((n) => `${prefix}${n.toUpperCase()}` === v);
    if (i >= 0) return i;
  }
  throw new RecordShapeError(`${what} ${JSON.stringify(v)} is not defined`);
}

export function arrayOf(v: unknown, what: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new RecordShapeError(`${what} must be an array`);
  return v;
}

/** A double: a number, or the mapping's 'NaN' / 'Infinity' / '-Infinity' / numeric strings; null when absent. */
export function double(v: unknown, what: string): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  throw new RecordShapeError(`${what} must be a number`);
}

/** An int64 (string or number) as a JS number (rounded beyond 2^53); null when absent. */
export function int64Number(v: unknown, what: string): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && INT_RE.test(v)) {
    const n = BigInt(v);
    if (n <= 0x7fffffffffffffffn && n >= -0x8000000000000000n) return Number(n);
  }
  throw new RecordShapeError(`${what} must be a signed 64-bit integer (string or number)`);
}

/** An int32 (number or numeric string); 0 when absent. */
export function int32(v: unknown, what: string): number {
  if (v === undefined || v === null) return 0;
  const n = typeof v === 'string' && INT_RE.test(v) ? Number(v) : v;
  if (typeof n === 'number' && Number.isInteger(n) && n >= -0x80000000 && n <= 0x7fffffff) return n;
  throw new RecordShapeError(`${what} must be a 32-bit integer`);
}

export function bool(v: unknown, what: string): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw new RecordShapeError(`${what} must be a boolean`);
  return v;
}

/** A KeyValue list as attributes; `__proto__` stays an own key instead of reaching the prototype. */
export function attributesOf(v: unknown, depth = 0): Attributes {
  const out: Attributes = {};
  for (const kv of arrayOf(v, 'attributes')) {
    const o = objectOf(kv, 'attribute');
    if (typeof o.key !== 'string') throw new RecordShapeError('attribute key must be a string');
    const value = anyValue(o.value, depth);
    if (o.key === '__proto__') Object.defineProperty(out, o.key, { value, enumerable: true, writable: true, configurable: true });
    else out[o.key] = value;
  }
  return out;
}

/** An AnyValue; null when absent or empty. */
export function anyValue(v: unknown, depth: number): AttrValue {
  if (depth > MAX_ANY_DEPTH) throw new RecordShapeError('attribute value nested too deeply');
  if (v === undefined || v === null) return null;
  const o = objectOf(v, 'attribute value');
  if (o.stringValue !== undefined || o.string_value !== undefined) return optString(field(o, 'stringValue', 'string_value'), 'stringValue');
  const b = field(o, 'boolValue', 'bool_value');
  if (b !== undefined) {
    if (typeof b !== 'boolean') throw new RecordShapeError('boolValue must be a boolean');
    return b;
  }
  const i = field(o, 'intValue', 'int_value');
  if (i !== undefined) {
    if (typeof i === 'number' && Number.isInteger(i)) return Number.isSafeInteger(i) ? i : BigInt(i).toString();
    if (typeof i === 'string' && INT_RE.test(i)) {
      const n = BigInt(i);
      if (n > 0x7fffffffffffffffn || n < -0x8000000000000000n) throw new RecordShapeError('intValue out of int64 range');
      return n >= -9007199254740991n && n <= 9007199254740991n ? Number(n) : n.toString();
    }
    throw new RecordShapeError('intValue must be an integer');
  }
  const d = field(o, 'doubleValue', 'double_value');
  if (d !== undefined) {
    if (typeof d === 'number') return d;
    // The JSON mapping spells non-finite doubles as strings.
    if (d === 'NaN' || d === 'Infinity' || d === '-Infinity') return d;
    if (typeof d === 'string' && d.trim() !== '' && Number.isFinite(Number(d))) return Number(d);
    throw new RecordShapeError('doubleValue must be a number');
  }
  const a = field(o, 'arrayValue', 'array_value');
  if (a !== undefined) return arrayOf(objectOf(a, 'arrayValue').values, 'arrayValue.values').map((x) => anyValue(x, depth + 1));
  const kv = field(o, 'kvlistValue', 'kvlist_value');
  if (kv !== undefined) return attributesOf(objectOf(kv, 'kvlistValue').values, depth + 1);
  const bytes = field(o, 'bytesValue', 'bytes_value');
  if (bytes !== undefined) {
    if (typeof bytes !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(bytes)) throw new RecordShapeError('bytesValue must be base64');
    return Buffer.from(bytes, 'base64').toString('base64');
  }
  return null;
}
