import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { AttrValue, Attributes, SpanEventRecord, SpanLinkRecord, SpanRecord } from '../store/types.js';
import { KIND_NAMES, STATUS_NAMES } from '../store/types.js';

/**
 * Binary wire format between the host thread and the writer thread. The host pays for
 * this on every span, so it is built to be cheap to write from JavaScript: short ASCII
 * strings are copied byte by byte and interned per batch (attribute keys, agent and model
 * names, trace and parent ids repeat), numbers are varints, and the result is one small
 * byte array (a third of the old JSON) that is copied to the worker without a big string
 * for the garbage collector. Everything else (bigint times, normalisation, DuckDB)
 * happens on the writer thread.
 *
 * Batch  = VERSION:u8, baseSec:f64, spanCount:u32, span*
 * Span   = trace:(0 traceId:str | 1 = the previous span's), spanId:str,
 *          parent:(0 = none | 1 spanId:str | 2 = the previous parent written), name:str, kind:u8,
 *          start:time, end:time, statusCode:u8, statusMessage:(0 | 1 str), attributes:obj,
 *          resource:ref, scope:ref, events:varint (name:str time obj)*, links:varint (traceId:str spanId:str obj)*
 * time   = zigzag(sec - baseSec):varint, nanos:varint
 * ref    = varint k: k even → index k/2 of an earlier one; k odd → a new one follows
 *          (resource: obj; scope: name:str version:(0 | 1 str)) and gets the next index
 * str    = varint h, by h & 3: 0 → h>>2 ASCII bytes follow; 1 → the same, and the string is
 *          interned; 2 → interned string number h>>2; 3 → u32 byte length + UTF-8 bytes
 * obj    = (key:str value)* then the varint 0 (an empty not-interned string cannot be a key
 *          header here: empty keys are written as long strings)
 * value  = tag:u8 then: NULL | FALSE | TRUE | INT zigzag varint | F64 f64 | STR str | ARR varint value* | OBJ obj
 *
 * Values that JSON cannot represent are treated as JSON.stringify would treat them
 * (undefined attributes are skipped; NaN, ±Infinity, undefined in arrays become null; a
 * bigint becomes its decimal string), so every ingest path stores the same thing.
 */
const VERSION = 2;
const TAG_NULL = 0;
const TAG_FALSE = 1;
const TAG_TRUE = 2;
const TAG_INT = 3;
const TAG_F64 = 4;
const TAG_STR = 5;
const TAG_ARR = 6;
const TAG_OBJ = 7;
/** Strings up to this many UTF-16 units are candidates for the per-batch intern table. */
const SHORT = 64;
const utf8 = new TextEncoder();

/**
 * State of the batch being encoded. The hot helpers below use these module-level
 * variables (cheapest to reach from JavaScript); each {@link SpanBatchEncoder} swaps its
 * own batch in for the duration of one call, so encoders never see each other's state.
 */
let buf = new Uint8Array(0);
let view = new DataView(buf.buffer);
let pos = 0;
let table = new Map<string, number>();
let resources = new Map<unknown, number>();
let scopes = new Map<unknown, number>();
let prevTrace = '';
let prevParent = '';
let base = 0;

function ensure(n: number): void {
  if (pos + n <= buf.length) return;
  let size = buf.length * 2;
  while (size < pos + n) size *= 2;
  const next = new Uint8Array(size);
  next.set(buf.subarray(0, pos));
  buf = next;
  view = new DataView(buf.buffer);
}

function varint(v: number): void {
  ensure(8);
  while (v >= 0x80) {
    buf[pos++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  buf[pos++] = v;
}

function zigzag(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1;
}

function longStr(s: string): void {
  ensure(5 + s.length * 3);
  buf[pos] = 3;
  const { written } = utf8.encodeInto(s, buf.subarray(pos + 5));
  view.setUint32(pos + 1, written, true);
  pos += 5 + written;
}

function str(s: string, intern = true): void {
  const n = s.length;
  if (n > SHORT || n === 0) return longStr(s);
  if (intern) {
    const ref = table.get(s);
    if (ref !== undefined) return varint(ref * 4 + 2);
  }
  ensure(n + 2);
  const b = buf;
  const h = n * 4 + (intern ? 1 : 0);
  const at = pos + (h < 0x80 ? 1 : 2); // the header is written after the bytes, in place (no growth in between)
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) return longStr(s); // not ASCII: UTF-8, not interned
    b[at + i] = c;
  }
  if (intern) table.set(s, table.size);
  if (h < 0x80) b[pos] = h;
  else {
    b[pos] = (h & 0x7f) | 0x80;
    b[pos + 1] = h >> 7;
  }
  pos = at + n;
}

function value(v: unknown): void {
  ensure(1);
  switch (typeof v) {
    case 'string':
      buf[pos++] = TAG_STR;
      str(v);
      return;
    case 'number':
      // Integers whose zigzag form stays exact in a double go as varints; the rest as f64.
      if (Number.isInteger(v) && Math.abs(v) <= 0xffff_ffff) {
        buf[pos++] = TAG_INT;
        varint(zigzag(v));
      } else if (Number.isFinite(v)) {
        buf[pos++] = TAG_F64;
        ensure(8);
        view.setFloat64(pos, v, true);
        pos += 8;
      } else buf[pos++] = TAG_NULL;
      return;
    case 'boolean':
      buf[pos++] = v ? TAG_TRUE : TAG_FALSE;
      return;
    case 'bigint':
      buf[pos++] = TAG_STR;
      str(v.toString());
      return;
    case 'object':
      if (v === null) buf[pos++] = TAG_NULL;
      else if (typeof (v as { toJSON?: unknown }).toJSON === 'function') value((v as { toJSON: () => unknown }).toJSON());
      else if (Array.isArray(v)) {
        buf[pos++] = TAG_ARR;
        varint(v.length);
        for (let i = 0; i < v.length; i++) value(v[i]);
      } else {
        buf[pos++] = TAG_OBJ;
        obj(v as Record<string, unknown>);
      }
      return;
    default:
      buf[pos++] = TAG_NULL; // undefined, functions, symbols: what JSON makes of them in arrays
  }
}

function obj(o: Record<string, unknown> | undefined): void {
  if (o) {
    // for-in (own enumerable keys of a plain object; no key array allocated per span).
    for (const k in o) {
      if (!Object.prototype.hasOwnProperty.call(o, k)) continue;
      const v = o[k];
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
      if (k.length === 0) longStr(k);
      else str(k);
      value(v);
    }
  }
  varint(0);
}

/**
 * An HrTime relative to the batch's base second. The SDK always gives integers; anything else
 * (NaN, fractions from a hand-made span) is coerced here, because a value the writer cannot turn
 * into a BigInt would cost the whole batch.
 */
function time(sec: number, nanos: number, base: number): void {
  const rel = sec - base;
  varint(zigzag(Number.isFinite(rel) ? Math.trunc(rel) : 0));
  varint(nanos >= 0 && nanos < 1e9 ? Math.trunc(nanos) : 0);
}

/** Bytes before the first span: VERSION:u8, baseSec:f64, spanCount:u32. */
const HEADER = 13;

/** Appends one span to the current batch. */
function encodeSpan(s: ReadableSpan): void {
  const ctx = s.spanContext();
  // Spans of one trace mostly sit next to each other, and siblings share a parent:
  // "same as the span before" is one byte and costs no hashing of fresh id strings.
  const traceId = ctx.traceId;
  const parent = s.parentSpanContext?.spanId;
  ensure(1);
  if (traceId === prevTrace) buf[pos++] = 1;
  else {
    buf[pos++] = 0;
    str(traceId, false);
    prevTrace = traceId;
  }
  str(ctx.spanId, false);
  ensure(1);
  if (!parent) buf[pos++] = 0;
  else if (parent === prevParent) buf[pos++] = 2;
  else {
    buf[pos++] = 1;
    str(parent, false);
    prevParent = parent;
  }
  str(s.name);
  ensure(1);
  buf[pos++] = s.kind;
  time(s.startTime[0], s.startTime[1], base);
  time(s.endTime[0], s.endTime[1], base);
  const message = s.status.message;
  ensure(2);
  buf[pos++] = s.status.code;
  if (message) {
    buf[pos++] = 1;
    str(message);
  } else buf[pos++] = 0;
  obj(s.attributes);
  const res = resources.get(s.resource);
  if (res !== undefined) varint(res * 2);
  else {
    resources.set(s.resource, resources.size);
    varint(1);
    obj(s.resource.attributes);
  }
  const scope = scopes.get(s.instrumentationScope);
  if (scope !== undefined) varint(scope * 2);
  else {
    scopes.set(s.instrumentationScope, scopes.size);
    varint(1);
    str(s.instrumentationScope.name);
    const version = s.instrumentationScope.version;
    ensure(1);
    if (version) {
      buf[pos++] = 1;
      str(version);
    } else buf[pos++] = 0;
  }
  varint(s.events.length);
  for (const e of s.events) {
    str(e.name);
    time(e.time[0], e.time[1], base);
    obj(e.attributes);
  }
  varint(s.links.length);
  for (const l of s.links) {
    str(l.context.traceId);
    str(l.context.spanId);
    obj(l.attributes);
  }
}

/**
 * Builds one batch span by span (a span processor encodes each span as it ends, while it
 * is still in the CPU cache, instead of keeping span objects alive until an export).
 * `add` is all-or-nothing: a span that cannot be encoded leaves the batch as it was.
 * @example
 * const enc = new SpanBatchEncoder();
 * enc.add(span);
 * const bytes = enc.seal(); // decodeSpanBatch(bytes) on the writer thread
 */
export class SpanBatchEncoder {
  private buf: Uint8Array<ArrayBuffer>;
  private view: DataView<ArrayBuffer>;
  private pos = HEADER;
  private readonly table = new Map<string, number>();
  private readonly resources = new Map<unknown, number>();
  private readonly scopes = new Map<unknown, number>();
  private prevTrace = '';
  private prevParent = '';
  private base = 0;
  /** Set by a failed add: the batch takes no more spans until sealed. */
  private poisoned = false;
  /** Spans in the open batch. */
  count = 0;

  /** `initialBytes`: starting buffer size (it doubles as needed and is kept between batches). */
  constructor(initialBytes = 1 << 14) {
    this.buf = new Uint8Array(Math.max(HEADER, initialBytes));
    this.view = new DataView(this.buf.buffer);
  }

  /** Encoded bytes in the open batch. */
  get byteLength(): number {
    return this.count === 0 ? 0 : this.pos;
  }

  private load(): void {
    buf = this.buf;
    view = this.view;
    pos = this.pos;
    table = this.table;
    resources = this.resources;
    scopes = this.scopes;
    prevTrace = this.prevTrace;
    prevParent = this.prevParent;
    base = this.base;
  }

  private save(): void {
    this.buf = buf;
    this.view = view;
    this.pos = pos;
    this.prevTrace = prevTrace;
    this.prevParent = prevParent;
  }

  /**
   * Appends one ended span. Throws (leaving the batch valid, without the span) if the span
   * cannot be encoded; the caller then seals the batch before adding more.
   */
  add(span: ReadableSpan): void {
    if (this.poisoned) throw new Error('SpanBatchEncoder: seal() the batch after a failed add before adding more');
    if (this.count === 0) {
      this.table.clear();
      this.resources.clear();
      this.scopes.clear();
      this.prevTrace = '';
      this.prevParent = '';
      const first = span.startTime[0];
      this.base = Number.isFinite(first) ? Math.trunc(first) : 0;
      this.pos = HEADER;
    }
    this.load();
    const start = pos;
    try {
      encodeSpan(span);
    } catch (err) {
      // Intern-table entries made by the failed span now refer to bytes that are gone:
      // keep what was complete and take no more spans into this batch.
      this.pos = start;
      this.poisoned = true;
      throw err;
    }
    this.save();
    this.count++;
  }

  /** Closes the open batch and returns its bytes (a copy the caller owns), or null when empty. */
  seal(): Uint8Array | null {
    this.poisoned = false;
    if (this.count === 0) return null;
    const out = this.buf.slice(0, this.pos);
    out[0] = VERSION;
    const dv = new DataView(out.buffer);
    dv.setFloat64(1, this.base, true);
    dv.setUint32(9, this.count, true);
    this.count = 0;
    this.pos = HEADER;
    return out;
  }
}

const shared = new SpanBatchEncoder();
const EMPTY_BATCH = Uint8Array.of(VERSION, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

/** Encodes ended SDK spans `spans[from..to)` as one batch. Runs on the host thread: keep it lean. */
export function encodeSpanBatch(spans: readonly ReadableSpan[], from = 0, to = spans.length): Uint8Array {
  shared.seal(); // a batch left open by a throwing call is abandoned
  for (let i = from; i < to; i++) {
    try {
      shared.add(spans[i]);
    } catch (err) {
      shared.seal();
      throw err;
    }
  }
  return shared.seal() ?? EMPTY_BATCH.slice();
}

const toNs = (sec: number, nanos: number): bigint => BigInt(sec) * 1_000_000_000n + BigInt(nanos);

/** Reads one batch; the state of a single decode. */
class Reader {
  private p = 0;
  private readonly strings: string[] = [];
  private readonly b: Buffer;
  private readonly dv: DataView;

  constructor(bytes: Uint8Array) {
    this.b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(n: number): void {
    if (this.p + n > this.b.length) throw new Error('span batch is truncated');
  }

  u8(): number {
    this.need(1);
    return this.b[this.p++];
  }

  f64(): number {
    this.need(8);
    const v = this.dv.getFloat64(this.p, true);
    this.p += 8;
    return v;
  }

  varint(): number {
    let v = 0;
    let scale = 1;
    for (;;) {
      const byte = this.u8();
      v += (byte & 0x7f) * scale;
      if (byte < 0x80) return v;
      scale *= 0x80;
      if (scale > 2 ** 56) throw new Error('span batch has an overlong varint');
    }
  }

  zigzag(): number {
    const z = this.varint();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }

  /** A string header already read as `h` (0 means the end of an object when reading keys). */
  strFrom(h: number): string {
    const kind = h % 4;
    if (kind === 2) {
      const s = this.strings[(h - 2) / 4];
      if (s === undefined) throw new Error('span batch refers to an unknown string');
      return s;
    }
    if (kind === 3) {
      this.need(4);
      const len = this.dv.getUint32(this.p, true);
      this.p += 4;
      this.need(len);
      const s = this.b.toString('utf8', this.p, this.p + len);
      this.p += len;
      return s;
    }
    const len = (h - kind) / 4;
    this.need(len);
    const s = this.b.toString('latin1', this.p, this.p + len);
    this.p += len;
    if (kind === 1) this.strings.push(s);
    return s;
  }

  str(): string {
    return this.strFrom(this.varint());
  }

  optStr(): string | null {
    return this.u8() === 1 ? this.str() : null;
  }

  time(base: number): bigint {
    const sec = base + this.zigzag();
    return toNs(sec, this.varint());
  }

  value(): AttrValue {
    const tag = this.u8();
    switch (tag) {
      case TAG_NULL:
        return null;
      case TAG_FALSE:
        return false;
      case TAG_TRUE:
        return true;
      case TAG_INT:
        return this.zigzag();
      case TAG_F64:
        return this.f64();
      case TAG_STR:
        return this.str();
      case TAG_ARR: {
        const n = this.varint();
        const out: AttrValue[] = [];
        for (let i = 0; i < n; i++) out.push(this.value());
        return out;
      }
      case TAG_OBJ:
        return this.obj();
      default:
        throw new Error(`span batch has an unknown value tag ${tag}`);
    }
  }

  obj(): Attributes {
    const out: Attributes = {};
    for (;;) {
      const h = this.varint();
      if (h === 0) return out;
      const key = this.strFrom(h);
      // An own property, as JSON.parse would make it, never the prototype.
      if (key === '__proto__') Object.defineProperty(out, key, { value: this.value(), enumerable: true, writable: true, configurable: true });
      else out[key] = this.value();
    }
  }

  decode(): SpanRecord[] {
    const version = this.u8();
    if (version !== VERSION) throw new Error(`span batch has unknown version ${version}`);
    const base = this.f64();
    this.need(4);
    const n = this.dv.getUint32(this.p, true);
    this.p += 4;
    const resources: Attributes[] = [];
    const scopes: [string, string | null][] = [];
    const out: SpanRecord[] = [];
    let traceId = '';
    let prevParent = '';
    for (let i = 0; i < n; i++) {
      if (this.u8() === 0) traceId = this.str();
      else if (i === 0) throw new Error('span batch refers to a previous trace id before any');
      const spanId = this.str();
      const p = this.u8();
      let parentSpanId: string | null = null;
      if (p === 1) parentSpanId = prevParent = this.str();
      else if (p === 2) {
        if (!prevParent) throw new Error('span batch refers to a previous parent id before any');
        parentSpanId = prevParent;
      } else if (p !== 0) throw new Error('span batch has a bad parent marker');
      const name = this.str();
      const kind = this.u8();
      const startNs = this.time(base);
      const endNs = this.time(base);
      const status = this.u8();
      const statusMessage = this.optStr();
      const attributes = this.obj();
      const r = this.varint();
      if (r % 2 === 1) resources.push(this.obj());
      const resource = resources[r % 2 === 1 ? resources.length - 1 : r / 2];
      const sc = this.varint();
      if (sc % 2 === 1) scopes.push([this.str(), this.optStr()]);
      const scope = scopes[sc % 2 === 1 ? scopes.length - 1 : sc / 2];
      if (!resource || !scope) throw new Error('span batch refers to an unknown resource or scope');
      const events: SpanEventRecord[] = [];
      for (let e = this.varint(); e > 0; e--) events.push({ name: this.str(), timeNs: this.time(base), attributes: this.obj() });
      const links: SpanLinkRecord[] = [];
      for (let l = this.varint(); l > 0; l--) links.push({ traceId: this.str(), spanId: this.str(), attributes: this.obj() });
      out.push({
        traceId,
        spanId,
        parentSpanId,
        name,
        // OTel JS SpanKind is 0-based from INTERNAL; OTLP's adds UNSPECIFIED at 0.
        kind: KIND_NAMES[kind + 1] ?? 'unspecified',
        startNs,
        endNs,
        statusCode: STATUS_NAMES[status] ?? 'UNSET',
        statusMessage,
        attributes,
        resource,
        scopeName: scope[0],
        scopeVersion: scope[1],
        events,
        links,
      });
    }
    if (this.p !== this.b.length) throw new Error('span batch has trailing bytes');
    return out;
  }
}

/** Decodes a batch on the writer thread (or on the host, to spool it) into store records. */
export function decodeSpanBatch(payload: Uint8Array): SpanRecord[] {
  return new Reader(payload).decode();
}
